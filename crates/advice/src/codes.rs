//! Why answers to the questionnaire, or a professional's evidence, were not taken.

domain::codes! {
    /// A question of the questionnaire was not answered (`question` says which).
    QUESTION_UNANSWERED = "question_unanswered": Invalid,
    /// An answer to a question the questionnaire does not ask.
    QUESTION_UNKNOWN = "question_unknown": Invalid,
    /// An answer that is none of the question's options.
    OPTION_UNKNOWN = "option_unknown": Invalid,
    /// Several answers to a question that takes one.
    ONE_OPTION_ONLY = "one_option_only": Invalid,
}
