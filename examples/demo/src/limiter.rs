//! Token-bucket rate limiter.
pub struct Limiter;
