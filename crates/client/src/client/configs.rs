//! The account's four user configs (CONFIG-GROUPS.md §1–2): UserProfile (namespace 2),
//! Contacts (3), ConvoInfoVolatile (4) and UserGroups (5), kept in memory as config objects
//! and in the database as their dumps.
//!
//! Incoming: [`UserConfigs::absorb`] opens the retrieved messages of one namespace (protobuf
//! wrapping, decryption, multipart, zstd), merges them, and says what the database must learn
//! ([`ConfigApply`]). Messages that do not open or do not parse are skipped and counted; a
//! merge is all or nothing, so nothing is ever applied in part.
//!
//! Outgoing: local changes edit the objects ([`UserConfigs::set_display_name`],
//! [`UserConfigs::put_contact`]); [`UserConfigs::prepare_push`] turns every object that needs
//! it into encrypted messages for one `sequence` (stores, then a delete of the hashes they
//! replace), and [`UserConfigs::confirm_push`] records where the server stored them.
//!
//! What is applied today: the display name and the contacts (name, nickname, approved,
//! approved-me, blocked). ConvoInfoVolatile and UserGroups are merged, kept, re-pushed and kept
//! alive unchanged, so what other clients write there survives; applying them comes with read
//! state, pinning and groups.

use session_protocol::config::contacts::{Contact as ConfigContact, Contacts};
use session_protocol::config::convo_info::{ConvoInfoVolatile, ReadState};
use session_protocol::config::mutable::{ConfigError, ConfigObject};
use session_protocol::config::user_groups::UserGroups;
use session_protocol::config::user_profile::UserProfile;
use session_protocol::config_wire::multipart::{MultipartBuffer, MultipartLimits};
use session_protocol::config_wire::pipeline::{
    push_config, receive_config, ReceiveContext, Received,
};
use session_protocol::config_wire::ConfigKind;
use session_protocol::identity::SessionId;
use session_protocol::rpc::Namespace;

use crate::net::{RetrievedMessage, SequenceStore};
use crate::store::{ConfigApply, Contact, SyncedContact};

/// The user config namespaces, in Session's poll order.
pub(crate) const CONFIG_NAMESPACES: [Namespace; 4] = [
    Namespace::USER_PROFILE,
    Namespace::CONTACTS,
    Namespace::USER_GROUPS,
    Namespace::CONVO_INFO_VOLATILE,
];

/// Time to live of a config message on the swarm, renewed while it is current (Session: 30
/// days, the storage server's maximum for private namespaces).
pub(crate) const CONFIG_TTL_MS: u64 = 30 * 24 * 3600 * 1000;

/// Why a local edit could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ConfigSyncError {
    /// The config object refused the edit.
    #[error("the account's synced settings could not be changed: {0}")]
    Edit(String),
    /// The config could not be prepared for the network.
    #[error("the account's synced settings could not be encrypted for upload: {0}")]
    Push(String),
}

/// What one push carries, and what to confirm once the server stored it.
#[derive(Debug)]
pub(crate) struct PreparedPush {
    /// Stores, in order.
    pub stores: Vec<SequenceStore>,
    /// Hashes the stores replace.
    pub delete: Vec<String>,
    /// Per pushed config: its namespace, seqno and how many of `stores` are its own.
    parts: Vec<(Namespace, i64, usize)>,
}

/// The four config objects.
#[derive(Debug)]
pub(crate) struct UserConfigs {
    profile: UserProfile,
    contacts: Contacts,
    convo: ConvoInfoVolatile,
    groups: UserGroups,
    /// Multipart parts waiting for the rest of their set.
    parts: MultipartBuffer,
    /// Obsolete hashes handed out by a push whose sequence failed: deleted with the next one.
    pending_delete: Vec<String>,
    /// Dumps existed when loaded (false on the first start with config sync: local data is
    /// put into the configs after the first poll merged what the swarm has).
    pub seeded: bool,
}

impl UserConfigs {
    /// The configs from their dumps; a damaged dump starts that config afresh (the swarm's
    /// copy comes back with the next poll).
    pub fn load(dumps: &[(Namespace, Vec<u8>)]) -> UserConfigs {
        fn restore<T: Default>(
            dumps: &[(Namespace, Vec<u8>)],
            namespace: Namespace,
            from_dump: impl Fn(&[u8]) -> Result<T, ConfigError>,
        ) -> T {
            let Some((_, dump)) = dumps.iter().find(|(n, _)| *n == namespace) else {
                return T::default();
            };
            from_dump(dump).unwrap_or_else(|error| {
                tracing::warn!(%error, namespace = namespace.get(), "a saved config is damaged; starting it afresh");
                T::default()
            })
        }
        UserConfigs {
            profile: restore(dumps, Namespace::USER_PROFILE, UserProfile::from_dump),
            contacts: restore(dumps, Namespace::CONTACTS, Contacts::from_dump),
            convo: restore(
                dumps,
                Namespace::CONVO_INFO_VOLATILE,
                ConvoInfoVolatile::from_dump,
            ),
            groups: restore(dumps, Namespace::USER_GROUPS, UserGroups::from_dump),
            parts: MultipartBuffer::new(MultipartLimits::default()),
            pending_delete: Vec::new(),
            seeded: !dumps.is_empty(),
        }
    }

    fn object(&mut self, namespace: Namespace) -> Option<&mut ConfigObject> {
        Some(match namespace {
            Namespace::USER_PROFILE => &mut self.profile.config,
            Namespace::CONTACTS => &mut self.contacts.config,
            Namespace::CONVO_INFO_VOLATILE => &mut self.convo.config,
            Namespace::USER_GROUPS => &mut self.groups.config,
            _ => return None,
        })
    }

    /// The server hashes of the current messages (their TTL is renewed while polling).
    pub fn current_hashes(&mut self) -> Vec<String> {
        CONFIG_NAMESPACES
            .iter()
            .filter_map(|ns| self.object(*ns).map(|o| o.current_hashes()))
            .flatten()
            .collect()
    }

    /// Whether a local change or a merge left something to push.
    pub fn needs_push(&mut self) -> bool {
        CONFIG_NAMESPACES
            .iter()
            .any(|ns| self.object(*ns).is_some_and(|o| o.needs_push()))
            || !self.pending_delete.is_empty()
    }

    /// Opens and merges the messages retrieved from `namespace`. Adds what changed to
    /// `apply`; returns how many messages were skipped (not a config of ours, damaged).
    pub fn absorb(
        &mut self,
        namespace: Namespace,
        messages: &[RetrievedMessage],
        seed: &[u8; 32],
        now_ms: i64,
        apply: &mut ConfigApply,
    ) -> usize {
        let Some(kind) = kind_of(namespace) else {
            return messages.len();
        };
        let keys = [*seed];
        let ctx = ReceiveContext::new(kind, &keys);
        let now = u64::try_from(now_ms).unwrap_or(0);
        let mut skipped = 0;
        let mut opened = Vec::with_capacity(messages.len());
        for message in messages {
            match receive_config(&ctx, &mut self.parts, &message.hash, &message.data, now) {
                Ok(Received::Config(config)) => opened.push((message.hash.clone(), config.message)),
                Ok(Received::PartStored { .. } | Received::DuplicatePart) => {}
                Err(error) => {
                    tracing::debug!(%error, namespace = namespace.get(), "skipped a config message");
                    skipped += 1;
                }
            }
        }
        if opened.is_empty() {
            return skipped;
        }
        let Some(object) = self.object(namespace) else {
            return skipped;
        };
        let before = (object.seqno(), object.current_hashes());
        let accepted = object.merge(&opened);
        skipped += opened.len() - accepted.len();
        tracing::debug!(
            namespace = namespace.get(),
            received = opened.len(),
            accepted = accepted.len(),
            seqno_before = before.0,
            seqno = object.seqno(),
            "merged config messages"
        );
        if (object.seqno(), object.current_hashes()) != before || object.needs_push() {
            apply.dumps.push((namespace, object.dump()));
            match namespace {
                Namespace::USER_PROFILE => apply.display_name = Some(self.profile.name()),
                Namespace::CONTACTS => apply.contacts = self.synced_contacts(),
                Namespace::CONVO_INFO_VOLATILE => apply.read_states = self.read_states(),
                _ => {}
            }
        }
        skipped
    }

    /// Every contact of the Contacts config, as the database keeps them.
    fn synced_contacts(&self) -> Vec<SyncedContact> {
        self.contacts
            .all()
            .into_iter()
            .filter_map(|c| {
                let session_id = SessionId::from_bytes(&c.session_id).ok()?;
                Some(SyncedContact {
                    session_id,
                    name: Some(c.name).filter(|n| !n.is_empty()),
                    nickname: Some(c.nickname).filter(|n| !n.is_empty()),
                    approved: c.approved,
                    approved_me: c.approved_me,
                    blocked: c.blocked,
                })
            })
            .collect()
    }

    /// The last-read times of 1:1 conversations in ConvoInfoVolatile.
    fn read_states(&self) -> Vec<(SessionId, i64)> {
        self.convo
            .all_one_to_one()
            .into_iter()
            .filter(|(_, state)| state.last_read_ms > 0)
            .filter_map(|(id, state)| Some((SessionId::from_bytes(&id).ok()?, state.last_read_ms)))
            .collect()
    }

    /// Records that messages with `peer` up to `last_read_ms` (their sent time) were read
    /// here. Returns the new dump if the config changed.
    pub fn set_last_read(
        &mut self,
        peer: &SessionId,
        last_read_ms: i64,
        now_ms: i64,
    ) -> Result<Option<(Namespace, Vec<u8>)>, ConfigSyncError> {
        let id = peer.to_bytes();
        let current = self.convo.one_to_one(&id).unwrap_or_default();
        if current.last_read_ms >= last_read_ms && !current.unread {
            return Ok(None);
        }
        let state = ReadState {
            last_read_ms: current.last_read_ms.max(last_read_ms),
            unread: false,
        };
        self.convo
            .set_one_to_one(&id, &state, now_ms)
            .map_err(|e| ConfigSyncError::Edit(e.to_string()))?;
        Ok(self
            .convo
            .config
            .needs_push()
            .then(|| (Namespace::CONVO_INFO_VOLATILE, self.convo.config.dump())))
    }

    /// Contacts in the Contacts config.
    pub fn contact_count(&self) -> usize {
        self.contacts.len()
    }

    /// Sets the display name (`None` clears it). Returns the new profile dump if it changed.
    pub fn set_display_name(
        &mut self,
        name: Option<&str>,
    ) -> Result<Option<(Namespace, Vec<u8>)>, ConfigSyncError> {
        let seqno = self.profile.config.seqno();
        self.profile
            .set_name(name.unwrap_or(""))
            .map_err(|e| ConfigSyncError::Edit(e.to_string()))?;
        Ok(
            (self.profile.config.seqno() != seqno || self.profile.config.needs_push())
                .then(|| (Namespace::USER_PROFILE, self.profile.config.dump())),
        )
    }

    /// Writes a contact as the database has it into the Contacts config, keeping the fields
    /// this client does not know. Returns the new dump if the config changed.
    pub fn put_contact(
        &mut self,
        contact: &Contact,
    ) -> Result<Option<(Namespace, Vec<u8>)>, ConfigSyncError> {
        let id = contact.session_id.to_bytes();
        let mut entry: ConfigContact = self.contacts.get_or_construct(&id);
        if let Some(name) = &contact.name {
            entry.name.clone_from(name);
        }
        entry.nickname = contact.nickname.clone().unwrap_or_default();
        entry.approved = contact.approved;
        entry.approved_me = contact.approved_me;
        entry.blocked = contact.blocked;
        if entry.created == 0 {
            entry.created = contact.created_at_ms / 1000;
        }
        let before = self.contacts.config.data().clone();
        self.contacts
            .set(&entry)
            .map_err(|e| ConfigSyncError::Edit(e.to_string()))?;
        Ok((*self.contacts.config.data() != before)
            .then(|| (Namespace::CONTACTS, self.contacts.config.dump())))
    }

    /// Encrypts every config that needs pushing (`seed`: the account's Ed25519 seed). `None`
    /// when there is nothing to push.
    pub fn prepare_push(
        &mut self,
        seed: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<PreparedPush>, ConfigSyncError> {
        let mut push = PreparedPush {
            stores: Vec::new(),
            delete: std::mem::take(&mut self.pending_delete),
            parts: Vec::new(),
        };
        for namespace in CONFIG_NAMESPACES {
            let Some(kind) = kind_of(namespace) else {
                continue;
            };
            let data = match namespace {
                Namespace::CONVO_INFO_VOLATILE if self.convo.config.needs_push() => self
                    .convo
                    .push(now_ms)
                    .map_err(|e| ConfigSyncError::Push(e.to_string()))?,
                _ => match self.object(namespace) {
                    Some(object) if object.needs_push() => object.push(),
                    _ => continue,
                },
            };
            push.delete.extend(data.obsolete_hashes);
            let pushed = push_config(kind, data.seqno, &data.message, seed)
                .map_err(|e| ConfigSyncError::Push(e.to_string()))?;
            push.parts
                .push((namespace, data.seqno, pushed.messages.len()));
            push.stores
                .extend(pushed.messages.into_iter().map(|data| SequenceStore {
                    namespace,
                    data,
                    ttl_ms: CONFIG_TTL_MS,
                }));
        }
        if push.stores.is_empty() && push.delete.is_empty() {
            return Ok(None);
        }
        if push.stores.is_empty() {
            // Only deletes are left over: they go with the next push.
            self.pending_delete = push.delete;
            return Ok(None);
        }
        Ok(Some(push))
    }

    /// The sequence failed: the hashes it was to delete go with the next push.
    pub fn push_failed(&mut self, push: PreparedPush) {
        self.pending_delete.extend(push.delete);
    }

    /// The server stored `push` under `hashes` (one per store): the configs become Clean.
    /// Returns the dumps to save.
    pub fn confirm_push(
        &mut self,
        push: &PreparedPush,
        hashes: &[String],
    ) -> Vec<(Namespace, Vec<u8>)> {
        let mut dumps = Vec::new();
        let mut offset = 0;
        for &(namespace, seqno, count) in &push.parts {
            let first = hashes.get(offset).cloned().unwrap_or_default();
            offset += count;
            if let Some(object) = self.object(namespace) {
                object.confirm_pushed(seqno, &first);
                dumps.push((namespace, object.dump()));
            }
        }
        dumps
    }
}

/// The config kind a user namespace holds.
fn kind_of(namespace: Namespace) -> Option<ConfigKind> {
    Some(match namespace {
        Namespace::USER_PROFILE => ConfigKind::UserProfile,
        Namespace::CONTACTS => ConfigKind::Contacts,
        Namespace::CONVO_INFO_VOLATILE => ConfigKind::ConvoInfoVolatile,
        Namespace::USER_GROUPS => ConfigKind::UserGroups,
        _ => return None,
    })
}
