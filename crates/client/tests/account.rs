//! Accounts: create, restore from the phrase, load, seed file handling.

use session_client::account::{Account, AccountError, DataDir, SEED_FILE};
use session_client::store::{NotificationContent, Settings, StoreError};

fn data_dir(parent: &tempfile::TempDir, name: &str) -> DataDir {
    DataDir::new(parent.path().join(name))
}

#[test]
fn restore_from_phrase_gives_the_same_session_id() {
    let tmp = tempfile::tempdir().unwrap();
    let created = Account::create(data_dir(&tmp, "a")).unwrap();
    let phrase = created.recovery_phrase();
    assert_eq!(phrase.split(' ').count(), 13);

    let restored = Account::restore(data_dir(&tmp, "b"), &phrase).unwrap();
    assert_eq!(restored.session_id(), created.session_id());
    assert_eq!(
        restored.keypair().ed25519_public(),
        created.keypair().ed25519_public()
    );
    assert_eq!(*restored.recovery_phrase(), *phrase);

    // Loading either directory again gives the same account, and each database knows it.
    for name in ["a", "b"] {
        let loaded = Account::load(data_dir(&tmp, name)).unwrap();
        assert_eq!(loaded.session_id(), created.session_id());
        let store = loaded.open_store(5).unwrap();
        assert_eq!(store.own_session_id().unwrap(), created.session_id());
    }
}

#[test]
fn restore_accepts_sloppy_phrase_input() {
    let tmp = tempfile::tempdir().unwrap();
    let created = Account::create(data_dir(&tmp, "a")).unwrap();
    let sloppy = format!("  {}  ", created.recovery_phrase().to_uppercase());
    let restored = Account::restore(data_dir(&tmp, "b"), &sloppy).unwrap();
    assert_eq!(restored.session_id(), created.session_id());
}

#[cfg(unix)]
#[test]
fn seed_file_and_directory_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let account = Account::create(data_dir(&tmp, "nested/dir")).unwrap();
    let seed_mode = std::fs::metadata(account.data_dir().seed_path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(seed_mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(account.data_dir().root())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(account.data_dir().root())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec![SEED_FILE.to_owned()]);
}

#[cfg(unix)]
#[test]
fn loading_tightens_a_world_readable_seed_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let account = Account::create(data_dir(&tmp, "a")).unwrap();
    let path = account.data_dir().seed_path();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    Account::load(data_dir(&tmp, "a")).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn an_existing_account_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let first = Account::create(data_dir(&tmp, "a")).unwrap();
    let err = Account::create(data_dir(&tmp, "a")).unwrap_err();
    assert!(matches!(err, AccountError::AlreadyExists { .. }), "{err}");

    let other = Account::create(data_dir(&tmp, "b")).unwrap();
    let err = Account::restore(data_dir(&tmp, "a"), &other.recovery_phrase()).unwrap_err();
    assert!(matches!(err, AccountError::AlreadyExists { .. }), "{err}");
    assert_eq!(
        Account::load(data_dir(&tmp, "a")).unwrap().session_id(),
        first.session_id()
    );

    // Restoring the same account again is harmless.
    let again = Account::restore(data_dir(&tmp, "a"), &first.recovery_phrase()).unwrap();
    assert_eq!(again.session_id(), first.session_id());
}

#[test]
fn loading_an_empty_directory_says_there_is_no_account() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Account::load(data_dir(&tmp, "nothing")).unwrap_err();
    assert!(matches!(err, AccountError::NoAccount { .. }), "{err}");
}

#[test]
fn a_wrong_phrase_is_a_typed_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Account::restore(data_dir(&tmp, "a"), "not a recovery phrase at all").unwrap_err();
    assert!(matches!(err, AccountError::Phrase(_)), "{err}");
    assert!(!data_dir(&tmp, "a").has_account());
}

#[test]
fn a_corrupt_seed_file_is_a_typed_error_that_hides_its_content() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp, "a");
    Account::create(dir.clone()).unwrap();
    let cases: [&[u8]; 5] = [
        b"",
        b"0123456789abcdef\n",
        b"zz23456789abcdef0123456789abcdef",
        &[0xff; 32],
        &[b'a'; 4096],
    ];
    for content in cases {
        std::fs::write(dir.seed_path(), content).unwrap();
        let err = Account::load(dir.clone()).unwrap_err();
        assert!(matches!(err, AccountError::CorruptSeed { .. }), "{err}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }
}

#[test]
fn debug_output_never_shows_the_seed_or_phrase() {
    let tmp = tempfile::tempdir().unwrap();
    let account = Account::create(data_dir(&tmp, "a")).unwrap();
    let seed_hex = std::fs::read_to_string(account.data_dir().seed_path()).unwrap();
    let shown = format!("{account:?}");
    assert!(shown.contains(&account.session_id().to_hex()));
    assert!(!shown.contains(seed_hex.trim()));
    let first_word = account
        .recovery_phrase()
        .split(' ')
        .next()
        .unwrap()
        .to_owned();
    assert!(!shown.contains(&format!(" {first_word} ")));
}

#[test]
fn a_database_of_another_account_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let a = Account::create(data_dir(&tmp, "a")).unwrap();
    let b = Account::create(data_dir(&tmp, "b")).unwrap();
    drop(a.open_store(1).unwrap());
    std::fs::copy(a.data_dir().database_path(), b.data_dir().database_path()).unwrap();
    let err = b.open_store(2).unwrap_err();
    assert!(
        matches!(err, AccountError::Store(StoreError::WrongAccount { .. })),
        "{err}"
    );
}

#[test]
fn display_name_and_settings_persist() {
    let tmp = tempfile::tempdir().unwrap();
    let account = Account::create(data_dir(&tmp, "a")).unwrap();
    {
        let mut store = account.open_store(1).unwrap();
        store.set_display_name(Some("  Alice  ")).unwrap();
        store
            .set_settings(&Settings {
                read_receipts: true,
                typing_indicators: false,
                notification_content: NotificationContent::NameOnly,
            })
            .unwrap();
        let err = store.set_display_name(Some("   ")).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidDisplayName { found: 0 }),
            "{err}"
        );
        let long = "x".repeat(101);
        assert!(store.set_display_name(Some(&long)).is_err());
    }
    let store = account.open_store(2).unwrap();
    let row = store.account().unwrap().unwrap();
    assert_eq!(row.display_name.as_deref(), Some("Alice"));
    assert!(row.settings.read_receipts);
    assert!(!row.settings.typing_indicators);
    assert_eq!(
        row.settings.notification_content,
        NotificationContent::NameOnly
    );
    assert_eq!(row.created_at_ms, 1);
}

#[test]
fn the_platform_default_ends_in_the_app_folder() {
    // Some CI containers have no home directory; then the error must be the typed one.
    match DataDir::platform_default() {
        Ok(dir) => assert!(dir.root().to_string_lossy().contains("session-rs")),
        Err(err) => assert!(matches!(err, AccountError::NoPlatformDataDir)),
    }
}

#[test]
fn one_lock_per_account_until_it_is_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let account = Account::create(data_dir(&tmp, "a")).unwrap();
    let other = Account::create(data_dir(&tmp, "b")).unwrap();
    let held = account.lock().unwrap();
    // A second holder, even in this process and through another load of the account, waits.
    let again = Account::load(data_dir(&tmp, "a")).unwrap();
    match again.lock() {
        Err(AccountError::InUse { dir }) => assert_eq!(dir, tmp.path().join("a")),
        other => panic!("expected InUse, got {other:?}"),
    }
    let error = again.lock().unwrap_err().to_string();
    assert!(error.contains("open in another window"), "{error}");
    // Other accounts are not affected.
    let _other_lock = other.lock().unwrap();
    drop(held);
    again.lock().unwrap();
}
