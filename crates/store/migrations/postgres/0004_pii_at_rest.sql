-- Personal data at rest: national_id and phone now hold values sealed with
-- AES-256-GCM ("v1.<key id>.<hex>") under a keyring kept outside the
-- database. Pages and lists read the masked copies and never need the key;
-- exact search goes through keyed lookup hashes.
ALTER TABLE customers ADD COLUMN national_id_masked TEXT;
ALTER TABLE customers ADD COLUMN phone_masked TEXT;
ALTER TABLE customers ADD COLUMN national_id_lookup TEXT;
ALTER TABLE customers ADD COLUMN phone_lookup TEXT;

-- Rows written before this migration hold plaintext: mask them here (the
-- same 6+4 and 3+4 rule as domain::mask_*); `brokerdesk keys rotate` seals
-- them and fills their lookup hashes.
UPDATE customers SET
    national_id_masked = substr(national_id, 1, 6) || '********' || substr(national_id, 15, 4),
    phone_masked = substr(phone, 1, 3) || '****' || substr(phone, 8, 4);

CREATE INDEX customers_national_id_lookup ON customers (national_id_lookup);
CREATE INDEX customers_phone_lookup ON customers (phone_lookup);
