//! session-client
