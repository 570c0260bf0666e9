//! Web sessions: the hash of a browser's session token, whose user it is and until when.
//! A session of a removed user is gone (a trigger deletes it) and never read back.

use rusqlite::{params, OptionalExtension};

use super::users::UserRecord;
use super::{Result, Store, UserRow};

impl Store {
    /// Stores a new session (and forgets the expired ones).
    pub fn add_session(
        &self,
        token_hash: &str,
        user: i64,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM web_sessions WHERE expires_ms <= ?1", [now_ms])?;
            tx.execute(
                "INSERT INTO web_sessions (token_hash, user, created_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user, now_ms, expires_ms],
            )?;
            Ok(())
        })
    }

    /// The user of an unexpired session whose user was not removed.
    pub fn session_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<UserRow>> {
        let conn = self.conn();
        let raw = conn
            .query_row(
                "SELECT u.id, u.name, u.role, u.removed, u.created_ms
                 FROM web_sessions s JOIN users u ON u.id = s.user
                 WHERE s.token_hash = ?1 AND s.expires_ms > ?2 AND u.removed = 0",
                params![token_hash, now_ms],
                UserRecord::read,
            )
            .optional()?;
        raw.map(UserRecord::into_user).transpose()
    }

    /// Ends a session (signing out).
    pub fn remove_session(&self, token_hash: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM web_sessions WHERE token_hash = ?1",
                [token_hash],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::api::Role;

    #[test]
    fn sessions_expire_and_end_with_their_user() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.add_user("bob", Role::Core, "t").unwrap();
        let bob = store.user_by_token("t").unwrap().unwrap();
        store.add_session("s1", bob.id, 0, 100).unwrap();
        store.add_session("s2", bob.id, 0, 100).unwrap();
        assert_eq!(store.session_user("s1", 50).unwrap(), Some(bob.clone()));
        assert_eq!(store.session_user("s1", 100).unwrap(), None, "expired");
        assert_eq!(store.session_user("nope", 50).unwrap(), None);
        store.remove_session("s1").unwrap();
        assert_eq!(store.session_user("s1", 50).unwrap(), None);
        assert!(store.remove_user("bob").unwrap());
        assert_eq!(store.session_user("s2", 50).unwrap(), None);
        let left: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM web_sessions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "removing the user deleted the session");
    }
}
