//! session-node
