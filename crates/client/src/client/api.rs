//! The client's commands: store reads and writes, sending, requests, read state.

use std::sync::Arc;
use std::time::Duration;

use session_protocol::identity::SessionId;
use tokio::sync::broadcast::error::RecvError;

use super::config_sync;
use super::control::{self, Control};
use super::sender;
use super::{Client, ClientError, Update, MAX_TEXT_CHARS};
use crate::store::{
    Conversation, ConversationId, ConversationListItem, Message, MessageId, MessagePage,
    MessageStatus, PageCursor, SearchHit, Settings, StoreError,
};

impl Client {
    /// The display name shown to contacts, if set.
    pub async fn display_name(&self) -> Result<Option<String>, ClientError> {
        let account = self.inner().store.run(|s| s.account()).await?;
        Ok(account.and_then(|a| a.display_name))
    }

    /// Sets (trimmed, 1 to 100 characters) or clears the display name. It travels with the
    /// next messages.
    pub async fn set_display_name(&self, name: Option<String>) -> Result<(), ClientError> {
        let synced = name.clone();
        self.inner()
            .store
            .run(move |s| s.set_display_name(name.as_deref()))
            .await?;
        config_sync::after_local_change(self.inner(), move |c| {
            c.set_display_name(synced.as_deref().map(str::trim))
        })
        .await
    }

    /// Privacy and notification settings.
    pub async fn settings(&self) -> Result<Settings, ClientError> {
        let account = self.inner().store.run(|s| s.account()).await?;
        Ok(account.map(|a| a.settings).unwrap_or_default())
    }

    /// Replaces the settings.
    pub async fn set_settings(&self, settings: Settings) -> Result<(), ClientError> {
        self.inner()
            .store
            .run(move |s| s.set_settings(&settings))
            .await?;
        Ok(())
    }

    /// The conversation list (requests excluded), most recent first.
    pub async fn conversations(&self) -> Result<Vec<ConversationListItem>, ClientError> {
        Ok(self.inner().store.run(|s| s.conversations()).await?)
    }

    /// Pending message requests, most recent first.
    pub async fn message_requests(&self) -> Result<Vec<ConversationListItem>, ClientError> {
        Ok(self.inner().store.run(|s| s.message_requests()).await?)
    }

    /// One conversation.
    pub async fn conversation(
        &self,
        id: ConversationId,
    ) -> Result<Option<Conversation>, ClientError> {
        Ok(self.inner().store.run(move |s| s.conversation(id)).await?)
    }

    /// The conversation with `peer`, if there is one.
    pub async fn conversation_with(
        &self,
        peer: SessionId,
    ) -> Result<Option<Conversation>, ClientError> {
        Ok(self
            .inner()
            .store
            .run(move |s| s.conversation_with(&peer))
            .await?)
    }

    /// Opens (creating if needed) the conversation with `peer`; the peer becomes approved.
    pub async fn start_conversation(&self, peer: SessionId) -> Result<ConversationId, ClientError> {
        let now = self.inner().local_now_ms();
        let conversation = self
            .inner()
            .store
            .run(move |s| s.start_conversation(&peer, now))
            .await?;
        self.inner().emit(Update::ConversationChanged {
            conversation: conversation.id,
        });
        config_sync::contact_changed(self.inner(), peer).await?;
        Ok(conversation.id)
    }

    /// Up to `limit` messages older than `before` (the newest when `None`), newest first.
    pub async fn messages_page(
        &self,
        id: ConversationId,
        before: Option<PageCursor>,
        limit: u32,
    ) -> Result<MessagePage, ClientError> {
        Ok(self
            .inner()
            .store
            .run(move |s| s.messages_page(id, before, limit))
            .await?)
    }

    /// One message.
    pub async fn message(&self, id: MessageId) -> Result<Option<Message>, ClientError> {
        Ok(self.inner().store.run(move |s| s.message(id)).await?)
    }

    /// Incoming messages stored after message `after`, in arrival order, at most `limit`.
    pub async fn incoming_after(
        &self,
        after: MessageId,
        limit: u32,
    ) -> Result<Vec<Message>, ClientError> {
        Ok(self
            .inner()
            .store
            .run(move |s| s.incoming_after(after, limit))
            .await?)
    }

    /// Queues a text (persisted); the send worker sends it; status arrives as
    /// [`Update::MessageStatus`].
    pub async fn send_text(&self, peer: SessionId, body: String) -> Result<Message, ClientError> {
        let body = body.trim().to_owned();
        if body.is_empty() {
            return Err(ClientError::EmptyMessage);
        }
        let found = body.chars().count();
        if found > MAX_TEXT_CHARS {
            return Err(ClientError::MessageTooLong { found });
        }
        let inner = self.inner();
        let sent_at = inner.next_sent_timestamp();
        let now = inner.local_now_ms();
        let keypair = Arc::clone(&inner.keypair);
        let contact_keys = Arc::clone(&inner.contact_keys);
        let policy = inner.retry;
        // Encrypted and written in one database call. While few first attempts are running
        // the message is written already claimed and its attempt starts at once; otherwise
        // (a burst of messages) the worker sends it with the rest of the queue.
        let permit = Arc::clone(&inner.first_attempts).try_acquire_owned().ok();
        let claim = permit.is_some();
        let (message, claimed, profile_name, newly_approved) = inner
            .store
            .run(move |s| {
                let profile_name = s.account()?.and_then(|a| a.display_name);
                // Writing to someone approves them: a change for the Contacts config.
                let newly_approved = !s.contact(&peer)?.is_some_and(|c| c.approved);
                let payload = sender::encrypt(
                    &keypair,
                    &contact_keys,
                    &peer,
                    &body,
                    sent_at,
                    profile_name.as_deref(),
                )
                .ok();
                let claim = claim.then_some(&policy);
                let (message, claimed) =
                    s.queue_outgoing_encrypted(&peer, &body, sent_at, now, payload, claim)?;
                Ok((message, claimed, profile_name, newly_approved))
            })
            .await?;
        match (claimed, permit) {
            (Some(entry), Some(permit)) => {
                sender::start_first_attempt(inner, entry, profile_name, permit);
            }
            _ => inner.send_wake.notify_one(),
        }
        inner.emit(Update::MessageAdded {
            conversation: message.conversation_id,
            message: message.clone(),
        });
        inner.emit(Update::ConversationChanged {
            conversation: message.conversation_id,
        });
        if newly_approved {
            config_sync::contact_changed(inner, peer).await?;
        }
        Ok(message)
    }

    /// Waits until the message is sent (the swarm acknowledged it) or failed (gave up), and
    /// returns that status; [`ClientError::SendTimeout`] after `timeout`.
    pub async fn wait_sent(
        &self,
        id: MessageId,
        timeout: Duration,
    ) -> Result<MessageStatus, ClientError> {
        let mut updates = self.updates();
        let wait = async {
            loop {
                let message = self.message(id).await?;
                let status = message
                    .and_then(|m| m.status)
                    .ok_or(ClientError::UnknownMessage(id))?;
                if matches!(status, MessageStatus::Sent | MessageStatus::Failed) {
                    return Ok(status);
                }
                // Any status change of this message (or a lag) → read the store again.
                loop {
                    match updates.recv().await {
                        Ok(Update::MessageStatus { message, .. }) if message == id => break,
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => return Err(ClientError::ShutDown),
                    }
                }
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or(Err(ClientError::SendTimeout(timeout)))
    }

    /// Waits until no message is queued or being sent any more (sent or given up); for
    /// `session-cli`. [`ClientError::SendTimeout`] after `timeout`.
    pub async fn wait_queue_empty(&self, timeout: Duration) -> Result<(), ClientError> {
        let mut updates = self.updates();
        let wait = async {
            loop {
                if self
                    .inner()
                    .store
                    .run(|s| s.next_send_due_at())
                    .await?
                    .is_none()
                {
                    return Ok(());
                }
                // Re-check on every status change, and now and then regardless.
                let _ = tokio::time::timeout(Duration::from_millis(500), async {
                    loop {
                        match updates.recv().await {
                            Ok(Update::MessageStatus { .. }) | Err(RecvError::Lagged(_)) => return,
                            Ok(_) => {}
                            Err(RecvError::Closed) => std::future::pending::<()>().await,
                        }
                    }
                })
                .await;
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or(Err(ClientError::SendTimeout(timeout)))
    }

    /// Queues a failed message again.
    pub async fn retry_message(&self, id: MessageId) -> Result<(), ClientError> {
        let inner = self.inner();
        let now = inner.local_now_ms();
        let message = self
            .message(id)
            .await?
            .ok_or(ClientError::UnknownMessage(id))?;
        inner
            .store
            .run(move |s| s.retry_send(id, now))
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => ClientError::UnknownMessage(id),
                other => other.into(),
            })?;
        inner.emit(Update::MessageStatus {
            conversation: message.conversation_id,
            message: id,
            status: MessageStatus::Queued,
        });
        inner.send_wake.notify_one();
        Ok(())
    }

    /// Deletes a message locally (and its pending send).
    pub async fn delete_message(&self, id: MessageId) -> Result<(), ClientError> {
        let inner = self.inner();
        let message = self
            .message(id)
            .await?
            .ok_or(ClientError::UnknownMessage(id))?;
        inner.store.run(move |s| s.delete_message(id)).await?;
        inner.emit(Update::MessageDeleted {
            conversation: message.conversation_id,
            message: id,
        });
        inner.emit(Update::ConversationChanged {
            conversation: message.conversation_id,
        });
        Ok(())
    }

    /// Accepts a message request: the sender becomes approved and is told so (a
    /// `MessageRequestResponse`).
    pub async fn accept_request(&self, id: ConversationId) -> Result<(), ClientError> {
        let inner = self.inner();
        let conversation = self
            .conversation(id)
            .await?
            .ok_or(ClientError::UnknownConversation(id))?;
        let now = inner.local_now_ms();
        inner.store.run(move |s| s.accept_request(id, now)).await?;
        inner.emit(Update::ConversationChanged { conversation: id });
        config_sync::contact_changed(inner, conversation.peer).await?;
        let profile_name = self.display_name().await?;
        control::send_in_background(
            inner,
            conversation.peer,
            Control::RequestResponse { profile_name },
        );
        Ok(())
    }

    /// Declines a message request: deletes the conversation, and blocks the sender if asked.
    pub async fn decline_request(
        &self,
        id: ConversationId,
        block: bool,
    ) -> Result<(), ClientError> {
        let inner = self.inner();
        let conversation = self
            .conversation(id)
            .await?
            .ok_or(ClientError::UnknownConversation(id))?;
        if !conversation.is_request {
            return Err(ClientError::NotARequest(id));
        }
        inner
            .store
            .run(move |s| s.decline_request(id, block))
            .await?;
        inner.emit(Update::ConversationChanged { conversation: id });
        if block {
            config_sync::contact_changed(inner, conversation.peer).await?;
        }
        Ok(())
    }

    /// Blocks `peer`: their messages are dropped from now on.
    pub async fn block(&self, peer: SessionId) -> Result<(), ClientError> {
        self.set_blocked(peer, true).await
    }

    /// Unblocks `peer`.
    pub async fn unblock(&self, peer: SessionId) -> Result<(), ClientError> {
        self.set_blocked(peer, false).await
    }

    async fn set_blocked(&self, peer: SessionId, blocked: bool) -> Result<(), ClientError> {
        let inner = self.inner();
        let now = inner.local_now_ms();
        let conversation = inner
            .store
            .run(move |s| {
                if blocked {
                    s.block_contact(&peer, now)?;
                } else {
                    s.unblock_contact(&peer, now)?;
                }
                s.conversation_with(&peer)
            })
            .await?;
        if let Some(conversation) = conversation {
            inner.emit(Update::ConversationChanged {
                conversation: conversation.id,
            });
        }
        config_sync::contact_changed(inner, peer).await
    }

    /// Marks the conversation read; sends a read receipt for the newly read messages when read
    /// receipts are on.
    pub async fn mark_read(&self, id: ConversationId) -> Result<(), ClientError> {
        let inner = self.inner();
        let (conversation, timestamps, settings) = inner
            .store
            .run(move |s| {
                let conversation = s.conversation(id)?.ok_or_else(|| StoreError::NotFound {
                    what: "conversation",
                    id: id.to_string(),
                })?;
                let timestamps = s.mark_conversation_read(id)?;
                let settings = s.account()?.map(|a| a.settings).unwrap_or_default();
                Ok((conversation, timestamps, settings))
            })
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => ClientError::UnknownConversation(id),
                other => other.into(),
            })?;
        if timestamps.is_empty() {
            return Ok(());
        }
        inner.emit(Update::ConversationChanged { conversation: id });
        if let Some(&newest) = timestamps.iter().max() {
            let (peer, now) = (conversation.peer, inner.now_ms());
            config_sync::after_local_change(inner, move |c| c.set_last_read(&peer, newest, now))
                .await?;
        }
        // No receipts to strangers: that would tell them the request was seen.
        if settings.read_receipts && !conversation.is_request {
            let timestamps = timestamps
                .into_iter()
                .filter_map(|t| u64::try_from(t).ok())
                .collect();
            control::send_in_background(
                inner,
                conversation.peer,
                Control::ReadReceipt { timestamps },
            );
        }
        Ok(())
    }

    /// Tells the peer that the user started or stopped typing (when typing indicators are on).
    pub async fn set_typing(&self, id: ConversationId, typing: bool) -> Result<(), ClientError> {
        let inner = self.inner();
        let conversation = self
            .conversation(id)
            .await?
            .ok_or(ClientError::UnknownConversation(id))?;
        if conversation.is_request || !self.settings().await?.typing_indicators {
            return Ok(());
        }
        control::send_in_background(inner, conversation.peer, Control::Typing { typing });
        Ok(())
    }

    /// Saves the compose-box text.
    pub async fn set_draft(&self, id: ConversationId, draft: String) -> Result<(), ClientError> {
        self.inner()
            .store
            .run(move |s| s.set_draft(id, &draft))
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => ClientError::UnknownConversation(id),
                other => other.into(),
            })?;
        self.inner()
            .emit(Update::ConversationChanged { conversation: id });
        Ok(())
    }

    /// Full-text search over message bodies.
    pub async fn search(&self, query: String, limit: u32) -> Result<Vec<SearchHit>, ClientError> {
        Ok(self
            .inner()
            .store
            .run(move |s| s.search_messages(&query, None, limit))
            .await?)
    }

    /// Polls the own swarm now; returns how many messages were stored.
    pub async fn poll_now(&self) -> Result<usize, ClientError> {
        super::poller::poll_once(self.inner()).await
    }
}
