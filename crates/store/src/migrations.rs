//! Migrations embedded in the binary: one folder per backend, the same version numbers in each.
//! They run through sqlx's migrator, which records a checksum of each (so an edited, already
//! applied migration is refused) and, on PostgreSQL, takes an advisory lock so that several
//! servers starting together apply them once.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

macro_rules! migrations {
    ($dir:literal: $($version:literal $name:literal),* $(,)?) => {
        vec![$(Migration::new(
            $version,
            Cow::Borrowed($name),
            MigrationType::Simple,
            Cow::Borrowed(include_str!(concat!("../migrations/", $dir, "/", $name, ".sql"))),
            false,
        )),*]
    };
}

pub(crate) fn sqlite() -> Migrator {
    Migrator {
        migrations: Cow::Owned(
            migrations!("sqlite": 1 "0001_foundation", 2 "0002_identity", 3 "0003_audit_log", 4 "0004_assets", 5 "0005_register_imports", 6 "0006_risks", 7 "0007_audit_retention"),
        ),
        ..Migrator::DEFAULT
    }
}

pub(crate) fn postgres() -> Migrator {
    Migrator {
        migrations: Cow::Owned(
            migrations!("postgres": 1 "0001_foundation", 2 "0002_identity", 3 "0003_audit_log", 4 "0004_assets", 5 "0005_register_imports", 6 "0006_risks", 7 "0007_audit_retention"),
        ),
        ..Migrator::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_backends_have_the_same_migration_versions() {
        let s: Vec<i64> = super::sqlite().iter().map(|m| m.version).collect();
        let p: Vec<i64> = super::postgres().iter().map(|m| m.version).collect();
        assert_eq!(s, p);
    }
}
