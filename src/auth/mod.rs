//! Where the service token lives: `REVIEW_TOKEN` overrides everything; otherwise a
//! [`TokenStore`], which is the OS keyring (the Secret Service on Linux desktops, with the
//! kernel keyring of the login session as the headless fallback) or, in unit tests, memory.
//!
//! A token is never written to a file, to git config or to any output.

use std::collections::HashMap;
use std::sync::Mutex;

/// The environment variable that overrides any stored token.
pub const TOKEN_ENV: &str = "REVIEW_TOKEN";

/// The keyring "service" under which tokens are stored; the entry's user is the service URL.
const KEYRING_SERVICE: &str = "review";

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("cannot use the {store}: {detail}")]
    Store { store: &'static str, detail: String },
    /// The Secret Service answered but its keyring stayed locked (the unlock prompt was
    /// dismissed, or no prompter could be shown, as on a headless machine).
    #[error("the Secret Service keyring is locked and was not unlocked ({detail})")]
    Locked { detail: String },
}

impl AuthError {
    /// Whether unlocking the keyring is the way out.
    pub fn is_locked(&self) -> bool {
        matches!(self, AuthError::Locked { .. })
    }
}

/// A place that keeps one token per service URL.
pub trait TokenStore {
    /// What it is, for messages (`Secret Service`, `kernel keyring`, ...).
    fn name(&self) -> &'static str;
    fn get(&self, service: &str) -> Result<Option<String>, AuthError>;
    fn set(&self, service: &str, token: &str) -> Result<(), AuthError>;
    /// Removes the token; false when there was none.
    fn delete(&self, service: &str) -> Result<bool, AuthError>;
}

/// The key of a service: its URL without a trailing slash.
pub fn service_key(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

/// Where a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Environment,
    Store(&'static str),
}

impl TokenSource {
    pub fn describe(self) -> String {
        match self {
            TokenSource::Environment => format!("the {TOKEN_ENV} environment variable"),
            TokenSource::Store(name) => format!("the {name}"),
        }
    }
}

/// The token to use for `service`: `env` (the value of `REVIEW_TOKEN`) when set and not
/// empty, else the stored one.
pub fn resolve(
    env: Option<String>,
    store: &dyn TokenStore,
    service: &str,
) -> Result<Option<(String, TokenSource)>, AuthError> {
    if let Some(token) = env.filter(|t| !t.trim().is_empty()) {
        return Ok(Some((token.trim().to_owned(), TokenSource::Environment)));
    }
    Ok(store
        .get(&service_key(service))?
        .map(|t| (t, TokenSource::Store(store.name()))))
}

/// Tokens in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<String, String>>,
}

impl TokenStore for MemoryStore {
    fn name(&self) -> &'static str {
        "memory store"
    }

    fn get(&self, service: &str) -> Result<Option<String>, AuthError> {
        Ok(self.lock().get(service).cloned())
    }

    fn set(&self, service: &str, token: &str) -> Result<(), AuthError> {
        self.lock().insert(service.to_owned(), token.to_owned());
        Ok(())
    }

    fn delete(&self, service: &str) -> Result<bool, AuthError> {
        Ok(self.lock().remove(service).is_some())
    }
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Which OS keyring backs a [`KeyringStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyring {
    /// The freedesktop Secret Service (GNOME Keyring, KWallet) over D-Bus.
    SecretService,
    /// The Linux kernel key retention service (keyutils), per login session.
    Kernel,
}

/// The OS keyring through the `keyring` crate.
#[derive(Debug)]
pub struct KeyringStore {
    keyring: Keyring,
}

/// A store and, when it is not the preferred one, why (to say so on stderr).
pub struct Opened {
    pub store: KeyringStore,
    pub fallback: Option<String>,
}

impl KeyringStore {
    /// The Secret Service when one answers, else the kernel keyring.
    pub fn open() -> Opened {
        let probe = Self::entry_for(Keyring::SecretService, "probe").and_then(|entry| match entry
            .get_password()
        {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        });
        match probe {
            Ok(()) => Opened {
                store: KeyringStore {
                    keyring: Keyring::SecretService,
                },
                fallback: None,
            },
            Err(e) => {
                // A Secret Service that answers but has no default collection (no `login`
                // keyring was ever created) cannot keep the token either: say that, not "none".
                let why = match secret_service_error(&e) {
                    Some(secret_service::Error::NoResult) => {
                        "the Secret Service has no default keyring".to_owned()
                    }
                    _ => format!("no Secret Service ({})", first_line(&e.to_string())),
                };
                Opened {
                    store: KeyringStore {
                        keyring: Keyring::Kernel,
                    },
                    fallback: Some(format!(
                        "{why}; using the kernel keyring of this login session, \
                         which forgets the token when the session ends"
                    )),
                }
            }
        }
    }

    pub fn keyring(&self) -> Keyring {
        self.keyring
    }

    fn entry_for(keyring: Keyring, user: &str) -> keyring::Result<keyring::Entry> {
        let credential: Box<keyring::Credential> = match keyring {
            Keyring::SecretService => {
                Box::new(keyring::secret_service::SsCredential::new_with_target(
                    None,
                    KEYRING_SERVICE,
                    user,
                )?)
            }
            Keyring::Kernel => Box::new(keyring::keyutils::KeyutilsCredential::new_with_target(
                None,
                KEYRING_SERVICE,
                user,
            )?),
        };
        Ok(keyring::Entry::new_with_credential(credential))
    }

    fn entry(&self, service: &str) -> Result<keyring::Entry, AuthError> {
        Self::entry_for(self.keyring, service).map_err(|e| self.fail(e))
    }

    fn fail(&self, e: keyring::Error) -> AuthError {
        let detail = first_line(&e.to_string());
        match secret_service_error(&e) {
            // The probe only searches, which works on a locked collection; reading, storing or
            // deleting needs it unlocked, and without a prompter the unlock is dismissed.
            Some(secret_service::Error::Locked | secret_service::Error::Prompt)
                if self.keyring == Keyring::SecretService =>
            {
                AuthError::Locked { detail }
            }
            _ => AuthError::Store {
                store: self.name(),
                detail,
            },
        }
    }
}

/// The Secret Service error under a `keyring` error, when there is one.
fn secret_service_error(e: &keyring::Error) -> Option<&secret_service::Error> {
    match e {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            inner.downcast_ref::<secret_service::Error>()
        }
        _ => None,
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_owned()
}

impl KeyringStore {
    /// Runs `op` on the entry of `service`. The kernel store keeps the key in the session
    /// keyring and links it into the user's persistent keyring on every access; the first link
    /// of a process can fail (seen here with keyring 3.6, reported as "no entry") while the same
    /// call on a fresh entry succeeds, so a "no entry" from the kernel store is tried once more.
    fn with_entry<T>(
        &self,
        service: &str,
        op: impl Fn(&keyring::Entry) -> keyring::Result<T>,
    ) -> Result<keyring::Result<T>, AuthError> {
        let first = op(&self.entry(service)?);
        match first {
            Err(keyring::Error::NoEntry) if self.keyring == Keyring::Kernel => {
                Ok(op(&self.entry(service)?))
            }
            other => Ok(other),
        }
    }
}

impl TokenStore for KeyringStore {
    fn name(&self) -> &'static str {
        match self.keyring {
            Keyring::SecretService => "Secret Service keyring",
            Keyring::Kernel => "kernel keyring",
        }
    }

    fn get(&self, service: &str) -> Result<Option<String>, AuthError> {
        match self.with_entry(service, |e| e.get_password())? {
            Ok(token) => Ok(Some(token)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn set(&self, service: &str, token: &str) -> Result<(), AuthError> {
        self.with_entry(service, |e| e.set_password(token))?
            .map_err(|e| self.fail(e))
    }

    fn delete(&self, service: &str) -> Result<bool, AuthError> {
        match self.with_entry(service, |e| e.delete_credential())? {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(self.fail(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_store() {
        let store = MemoryStore::default();
        store.set("http://s", "stored").unwrap();
        let (token, source) = resolve(Some("from-env".into()), &store, "http://s/")
            .unwrap()
            .unwrap();
        assert_eq!(
            (token.as_str(), source),
            ("from-env", TokenSource::Environment)
        );
        let (token, source) = resolve(None, &store, "http://s/").unwrap().unwrap();
        assert_eq!(
            (token.as_str(), source),
            ("stored", TokenSource::Store("memory store"))
        );
        // An empty variable does not count.
        let (token, _) = resolve(Some("  ".into()), &store, "http://s")
            .unwrap()
            .unwrap();
        assert_eq!(token, "stored");
        assert!(resolve(None, &store, "http://other").unwrap().is_none());
    }

    #[test]
    fn a_dismissed_unlock_of_the_secret_service_is_a_locked_keyring() {
        let ss = KeyringStore {
            keyring: Keyring::SecretService,
        };
        let kernel = KeyringStore {
            keyring: Keyring::Kernel,
        };
        for inner in [secret_service::Error::Prompt, secret_service::Error::Locked] {
            let e = keyring::Error::NoStorageAccess(Box::new(inner));
            assert!(ss.fail(e).is_locked());
        }
        let locked = keyring::Error::PlatformFailure(Box::new(secret_service::Error::Locked));
        assert!(ss.fail(locked).is_locked());
        let other = keyring::Error::PlatformFailure(Box::new(secret_service::Error::Unavailable));
        assert!(!ss.fail(other).is_locked());
        let kernel_err = keyring::Error::NoStorageAccess(Box::new(secret_service::Error::Locked));
        assert!(!kernel.fail(kernel_err).is_locked());
    }

    #[test]
    fn memory_store_deletes() {
        let store = MemoryStore::default();
        assert!(!store.delete("a").unwrap());
        store.set("a", "t").unwrap();
        assert!(store.delete("a").unwrap());
        assert_eq!(store.get("a").unwrap(), None);
    }
}
