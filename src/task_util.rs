//! Small helpers for running client calls as iced tasks.

use std::future::Future;

use iced::Task;

use crate::backend::{describe, ClientError};

/// Runs a client call and maps its result (errors become text).
pub fn call<T, M>(
    future: impl Future<Output = Result<T, ClientError>> + Send + 'static,
    map: impl FnOnce(Result<T, String>) -> M + Send + 'static,
) -> Task<M>
where
    T: Send + 'static,
    M: Send + 'static,
{
    Task::perform(async move { future.await.map_err(|e| describe(&e)) }, map)
}
