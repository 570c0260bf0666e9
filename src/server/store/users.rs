//! Users and their tokens.

use rusqlite::{params, OptionalExtension};

use super::{corrupt, Result, Store, StoreError, UserRow};
use crate::api::{self, Role};

impl Store {
    pub fn add_user(&self, name: &str, role: Role, token_hash: &str) -> Result<()> {
        self.write(|tx| {
            let exists: Option<i64> = tx
                .query_row("SELECT id FROM users WHERE name = ?1", [name], |r| r.get(0))
                .optional()?;
            if exists.is_some() {
                return Err(StoreError::UserExists(name.to_owned()));
            }
            tx.execute(
                "INSERT INTO users (name, role, token_hash, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![name, role.as_str(), token_hash, api::time::now_millis()],
            )?;
            Ok(())
        })
    }

    /// Users that were not removed, by name.
    pub fn users(&self) -> Result<Vec<UserRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, name, role, removed, created_ms FROM users WHERE removed = 0 ORDER BY name",
        )?;
        let rows = stmt
            .query_map([], UserRecord::read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(UserRecord::into_user).collect()
    }

    /// Removes a user: their token stops working at once. Their changes stay.
    pub fn remove_user(&self, name: &str) -> Result<bool> {
        self.write(|tx| {
            // The name is freed for a new user; the old row keeps the token, marked removed.
            let n = tx.execute(
                "UPDATE users SET removed = 1, name = name || '#removed-' || id WHERE name = ?1 AND removed = 0",
                [name],
            )?;
            Ok(n == 1)
        })
    }

    pub fn user_by_token(&self, token_hash: &str) -> Result<Option<UserRow>> {
        let conn = self.conn();
        let raw = conn
            .query_row(USER_BY_TOKEN, [token_hash], UserRecord::read)
            .optional()?;
        raw.map(UserRecord::into_user).transpose()
    }
}

/// The user a token (hash) belongs to: every request reads it.
pub(super) const USER_BY_TOKEN: &str =
    "SELECT id, name, role, removed, created_ms FROM users WHERE token_hash = ?1";

/// A `users` row as stored: the role still text, checked by [`UserRecord::into_user`].
pub(super) struct UserRecord {
    id: i64,
    name: String,
    role: String,
    removed: bool,
    created_ms: i64,
}

impl UserRecord {
    /// Reads `id, name, role, removed, created_ms`.
    pub(super) fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(UserRecord {
            id: row.get(0)?,
            name: row.get(1)?,
            role: row.get(2)?,
            removed: row.get(3)?,
            created_ms: row.get(4)?,
        })
    }

    pub(super) fn into_user(self) -> Result<UserRow> {
        let role = Role::parse(&self.role).ok_or_else(|| corrupt("role", &self.role))?;
        Ok(UserRow {
            id: self.id,
            name: self.name,
            role,
            removed: self.removed,
            created_ms: self.created_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    #[test]
    fn removed_users_keep_their_row_but_not_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.add_user("bob", Role::Core, "h").unwrap();
        assert!(matches!(
            store.add_user("bob", Role::Core, "h2"),
            Err(StoreError::UserExists(_))
        ));
        assert!(store.remove_user("bob").unwrap());
        assert!(!store.remove_user("bob").unwrap());
        assert!(store.user_by_token("h").unwrap().unwrap().removed);
        assert!(store.users().unwrap().is_empty());
        store.add_user("bob", Role::Core, "h3").unwrap();
    }
}
