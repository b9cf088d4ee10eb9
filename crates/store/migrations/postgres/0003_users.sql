-- Users who sign in, and their server-side sessions.
CREATE TABLE users (
    id              BIGINT PRIMARY KEY,
    login           TEXT NOT NULL CONSTRAINT users_login_key UNIQUE,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CONSTRAINT users_role_check CHECK (role IN ('customer', 'advisor', 'manager', 'compliance', 'admin')),
    staff_id        BIGINT CONSTRAINT users_staff_fk REFERENCES staff (id),
    customer_id     BIGINT CONSTRAINT users_customer_fk REFERENCES customers (id),
    failed_sign_ins BIGINT NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ
);

CREATE TABLE sessions (
    token_digest TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL CONSTRAINT sessions_user_fk REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
