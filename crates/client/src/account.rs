//! Accounts: creating one from a fresh seed, restoring one from its 13-word recovery phrase,
//! loading it again, and where its files live.
//!
//! One data directory holds one account:
//! * `seed`: the 16-byte recovery seed as 32 hex digits and a newline, owner-only (0600 on
//!   Unix), written atomically (temporary file, fsync, rename). This is the only secret on disk.
//! * `session.sqlite3` (plus SQLite's `-wal` and `-shm` files): the [`Store`].
//! * `client.lock`: locked while a running client owns the account ([`Account::lock`]), so two
//!   processes never drive the same send queue and poll cursors.
//!
//! The directory is created owner-only (0700 on Unix). The seed lives in memory only inside
//! [`Seed`] and [`Keypair`], which zeroize on drop; the phrase is handed out in a [`Zeroizing`]
//! string.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use session_protocol::identity::{Keypair, Seed, SessionId};
use session_protocol::mnemonic::{phrase_to_seed, seed_to_phrase, MnemonicError};
use zeroize::Zeroizing;

use crate::store::{Store, StoreError};

/// Name of the application's folder inside the platform data directory. Not "Session", so
/// that it never shares a folder with the official Session desktop app (case-insensitive file
/// systems included).
pub const APP_DIR_NAME: &str = "session-rs";
/// File name of the seed inside a data directory.
pub const SEED_FILE: &str = "seed";
/// File name of the database inside a data directory.
pub const DATABASE_FILE: &str = "session.sqlite3";
/// File name of the lock a running client holds inside a data directory.
pub const LOCK_FILE: &str = "client.lock";

/// Length of the seed file's hex text.
const SEED_HEX_LEN: usize = 32;
/// A seed file larger than this is certainly not one (and is not read into memory).
const MAX_SEED_FILE_LEN: u64 = 256;

/// Errors from creating, restoring or loading an account.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The platform has no data directory (no home directory) and none was given.
    #[error("cannot find a data directory for this user; pass one with --data-dir")]
    NoPlatformDataDir,
    /// The directory already holds a (different) account.
    #[error(
        "{dir} already holds an account; choose another data directory for a new or restored \
         account"
    )]
    AlreadyExists {
        /// The data directory.
        dir: PathBuf,
    },
    /// The directory holds no account yet.
    #[error("{dir} holds no account yet; create one or restore one from its recovery phrase")]
    NoAccount {
        /// The data directory.
        dir: PathBuf,
    },
    /// The seed file exists but is not a seed (its content is never shown).
    #[error(
        "the seed file {path} is damaged ({reason}); restore the account from its recovery \
         phrase into a new data directory"
    )]
    CorruptSeed {
        /// The seed file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The recovery phrase is wrong.
    #[error("the recovery phrase is not valid: {0}")]
    Phrase(#[from] MnemonicError),
    /// Reading or writing a file failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done ("write the seed file", …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The database could not be opened or does not belong to this account.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another running client (an app window or `session-cli`) owns the account.
    #[error(
        "the account in {dir} is open in another window or session-cli process; close that \
         first, or use another data directory"
    )]
    InUse {
        /// The data directory.
        dir: PathBuf,
    },
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> AccountError {
    let path = path.to_path_buf();
    move |source| AccountError::Io {
        action,
        path,
        source,
    }
}

/// The files of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// A data directory at `root` (not created until an account is created or restored).
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// The platform's default, e.g. `~/.local/share/session-rs` on Linux,
    /// `~/Library/Application Support/session-rs` on macOS, `%APPDATA%\session-rs\data` on
    /// Windows.
    pub fn platform_default() -> Result<DataDir, AccountError> {
        directories::ProjectDirs::from("", "", APP_DIR_NAME)
            .map(|dirs| DataDir::new(dirs.data_dir()))
            .ok_or(AccountError::NoPlatformDataDir)
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The seed file.
    pub fn seed_path(&self) -> PathBuf {
        self.root.join(SEED_FILE)
    }

    /// The database file.
    pub fn database_path(&self) -> PathBuf {
        self.root.join(DATABASE_FILE)
    }

    /// The lock file a running client holds.
    pub fn lock_path(&self) -> PathBuf {
        self.root.join(LOCK_FILE)
    }

    /// Whether an account (a seed file) is present.
    pub fn has_account(&self) -> bool {
        self.seed_path().exists()
    }
}

/// A loaded account: its seed and keys. `Debug` shows only the Session ID.
pub struct Account {
    dir: DataDir,
    seed: Seed,
    keypair: Keypair,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("dir", &self.dir.root)
            .field("session_id", &self.keypair.session_id())
            .field("seed", &"<redacted>")
            .finish()
    }
}

impl Account {
    /// Creates a new account with a fresh random seed in `dir`, which must not hold one yet.
    pub fn create(dir: DataDir) -> Result<Account, AccountError> {
        if dir.has_account() {
            return Err(AccountError::AlreadyExists { dir: dir.root });
        }
        Account::install(dir, Seed::generate())
    }

    /// Restores an account from its recovery phrase into `dir`. Restoring the same account
    /// again is fine; `dir` must not hold a different one.
    pub fn restore(dir: DataDir, phrase: &str) -> Result<Account, AccountError> {
        let seed = phrase_to_seed(phrase)?;
        if dir.has_account() {
            let existing = Account::load(dir)?;
            if existing.seed.as_bytes() == seed.as_bytes() {
                return Ok(existing);
            }
            return Err(AccountError::AlreadyExists {
                dir: existing.dir.root,
            });
        }
        Account::install(dir, seed)
    }

    /// Loads the account in `dir`.
    pub fn load(dir: DataDir) -> Result<Account, AccountError> {
        let path = dir.seed_path();
        if !path.exists() {
            return Err(AccountError::NoAccount { dir: dir.root });
        }
        let seed = read_seed(&path)?;
        let keypair = Keypair::from_seed(&seed);
        Ok(Account { dir, seed, keypair })
    }

    fn install(dir: DataDir, seed: Seed) -> Result<Account, AccountError> {
        ensure_private_dir(&dir.root)?;
        let text = Zeroizing::new(format!("{}\n", hex::encode(seed.as_bytes())));
        write_private_file(&dir.seed_path(), text.as_bytes())?;
        let keypair = Keypair::from_seed(&seed);
        // The ID and the folder identify the user: debug only (logs at info are shared freely).
        tracing::info!("account saved");
        tracing::debug!(session_id = %keypair.session_id(), dir = %dir.root.display(), "account saved");
        Ok(Account { dir, seed, keypair })
    }

    /// Opens the account's database, creating it on first use, and checks that it belongs to
    /// this account.
    pub fn open_store(&self, now_ms: i64) -> Result<Store, AccountError> {
        let mut store = Store::open(&self.dir.database_path())?;
        store.init_account(&self.session_id(), now_ms)?;
        Ok(store)
    }

    /// Takes the account's lock, held until the returned value is dropped. The operating
    /// system releases it when the process ends, however it ends.
    pub fn lock(&self) -> Result<AccountLock, AccountError> {
        let path = self.dir.lock_path();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error("open the lock file", &path))?;
        match file.try_lock() {
            Ok(()) => Ok(AccountLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(AccountError::InUse {
                dir: self.dir.root.clone(),
            }),
            Err(fs::TryLockError::Error(source)) => Err(AccountError::Io {
                action: "lock",
                path,
                source,
            }),
        }
    }

    /// The account's Session ID.
    pub fn session_id(&self) -> SessionId {
        self.keypair.session_id()
    }

    /// The account's keys.
    pub fn keypair(&self) -> &Keypair {
        &self.keypair
    }

    /// The 13-word recovery phrase (secret: show it only when the user asks).
    pub fn recovery_phrase(&self) -> Zeroizing<String> {
        Zeroizing::new(seed_to_phrase(&self.seed))
    }

    /// Where the account's files are.
    pub fn data_dir(&self) -> &DataDir {
        &self.dir
    }
}

/// Proof that this process owns an account: see [`Account::lock`].
#[derive(Debug)]
pub struct AccountLock {
    _file: fs::File,
}

/// Reads and checks the seed file, tightening its permissions if others could read it.
fn read_seed(path: &Path) -> Result<Seed, AccountError> {
    let corrupt = |reason: String| AccountError::CorruptSeed {
        path: path.to_path_buf(),
        reason,
    };
    let file = fs::File::open(path).map_err(io_error("read the seed file", path))?;
    let mut text = Zeroizing::new(Vec::with_capacity(SEED_HEX_LEN + 1));
    file.take(MAX_SEED_FILE_LEN + 1)
        .read_to_end(&mut text)
        .map_err(io_error("read the seed file", path))?;
    if text.len() as u64 > MAX_SEED_FILE_LEN {
        return Err(corrupt(format!(
            "it is larger than {MAX_SEED_FILE_LEN} bytes"
        )));
    }
    let hex_text = text.trim_ascii();
    if hex_text.len() != SEED_HEX_LEN {
        return Err(corrupt(format!(
            "it should hold {SEED_HEX_LEN} hex digits but holds {} characters",
            hex_text.len()
        )));
    }
    let mut bytes = Zeroizing::new([0u8; 16]);
    hex::decode_to_slice(hex_text, bytes.as_mut())
        .map_err(|_| corrupt("it holds characters that are not hex digits".to_owned()))?;
    warn_and_fix_permissions(path);
    Ok(Seed::from_bytes(*bytes))
}

/// Creates `dir` (and parents) if missing; on Unix a directory this creates is owner-only.
fn ensure_private_dir(dir: &Path) -> Result<(), AccountError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(io_error("create the data directory", dir))
}

/// Writes `bytes` to `path` atomically and owner-only: a crash leaves the old state or the
/// complete new file, never a partial seed.
fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), AccountError> {
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let write = |tmp: &Path| -> io::Result<()> {
        let mut file = options.open(tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    };
    if let Err(source) = write(&tmp) {
        let _ = fs::remove_file(&tmp);
        return Err(io_error("write the seed file", &tmp)(source));
    }
    fs::rename(&tmp, path).map_err(io_error("write the seed file", path))?;
    if let Some(parent) = path.parent() {
        // Makes the rename durable; not every platform can open a directory, so failing here
        // only weakens durability.
        if let Ok(dir) = fs::File::open(parent) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

#[cfg(unix)]
fn warn_and_fix_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = fs::metadata(path) else {
        return;
    };
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = format!("{:o}", mode & 0o777),
            "the seed file was readable by others; restricting it to the owner"
        );
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
    }
}

#[cfg(not(unix))]
fn warn_and_fix_permissions(_path: &Path) {}
