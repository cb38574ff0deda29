//! Roles and permissions: the one table that says who may do what.
//!
//! A person holds roles in each practice they work for (a locum may work for several) and may
//! hold provider-wide roles (the IG provider's own staff), which apply in every practice. What a
//! person may do in a practice is the union of the permissions of both. Every page, API endpoint
//! and CLI command asks [`Access::can`] — there is no other check.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::PersonId;

/// A role a person holds in one practice.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PracticeRole {
    Staff,
    LineManager,
    PracticeManager,
    DataProtectionLead,
    CaldicottGuardian,
    DataProtectionOfficer,
    Siro,
    InformationAssetOwner,
    SystemAdministrator,
}

/// A role a person holds across every practice the provider serves.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProviderRole {
    ProviderAdministrator,
    IgConsultant,
    Auditor,
}

/// Something a person may do. Checked by [`Access::can`].
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Permission {
    /// See the practice's home page and one's own record.
    PracticeView,
    /// See the practice's staff list, each person's roles and account state.
    PeopleView,
    /// Change people's details and roles.
    PeopleManage,
    /// Ask for a new starter, a mover or a leaver (line managers).
    StarterRequest,
    /// Approve or reject a new starter or mover; record the decision.
    StarterApprove,
    /// Record a leaver with an exit date.
    LeaverRecord,
    /// Verify a caller's identity with their security questions and reset their password.
    IdentityVerify,
    /// Unlock an account locked after failed sign-ins, or clear a locked identity check.
    AccountUnlock,
    /// Mark access-grant tasks (create or remove a login in another system) as done.
    AccessTasksManage,
    /// Nominate or remove a system administrator.
    AdministratorNominate,
    /// Change the practice's settings (password policy, session timeout, opening hours...).
    PracticeSettingsManage,
    /// Read the audit trail and its reports.
    AuditView,
    /// Read the information asset register.
    AssetsView,
    /// Change any entry of the information asset register.
    AssetsManage,
    /// Read the information risk register and its reports.
    RisksView,
    /// Change the risk register.
    RisksManage,
    /// Sign off a risk accepted above the practice's appetite (SIRO).
    RiskAcceptAboveAppetite,
    /// Report an incident or near miss.
    IncidentReport,
    /// Read every incident of the practice.
    IncidentsView,
    /// Grade, investigate and close incidents; decide on ICO notification.
    IncidentsManage,
    /// Read and bring back an evidence file someone removed, until it is deleted for good (the
    /// DPO).
    EvidenceRecover,
    /// Declare one's own personal device and read one's own declarations.
    DeviceDeclare,
    /// Run the equipment and personal-device register.
    DevicesManage,
    /// Decide whether a member of staff's personal device meets a business need (line managers).
    DeviceNeedDecide,
    /// Read and acknowledge policies; take training.
    PoliciesAcknowledge,
    /// Issue and review policies and training; see everyone's acknowledgements and scores.
    PoliciesManage,
    /// Prepare and read the DSPT evidence.
    DsptManage,
    /// Create practices and see the roll-up across all of them (provider only).
    ProviderManage,
    /// See every practice the provider serves (provider only).
    ProviderView,
}

impl Permission {
    pub const ALL: [Permission; 29] = [
        Permission::PracticeView,
        Permission::PeopleView,
        Permission::PeopleManage,
        Permission::StarterRequest,
        Permission::StarterApprove,
        Permission::LeaverRecord,
        Permission::IdentityVerify,
        Permission::AccountUnlock,
        Permission::AccessTasksManage,
        Permission::AdministratorNominate,
        Permission::PracticeSettingsManage,
        Permission::AuditView,
        Permission::AssetsView,
        Permission::AssetsManage,
        Permission::RisksView,
        Permission::RisksManage,
        Permission::RiskAcceptAboveAppetite,
        Permission::IncidentReport,
        Permission::IncidentsView,
        Permission::IncidentsManage,
        Permission::EvidenceRecover,
        Permission::DeviceDeclare,
        Permission::DevicesManage,
        Permission::DeviceNeedDecide,
        Permission::PoliciesAcknowledge,
        Permission::PoliciesManage,
        Permission::DsptManage,
        Permission::ProviderManage,
        Permission::ProviderView,
    ];

    fn bit(self) -> u64 {
        1u64 << (self as u8)
    }

    pub fn as_str(self) -> &'static str {
        use Permission::*;
        match self {
            PracticeView => "practice_view",
            PeopleView => "people_view",
            PeopleManage => "people_manage",
            StarterRequest => "starter_request",
            StarterApprove => "starter_approve",
            LeaverRecord => "leaver_record",
            IdentityVerify => "identity_verify",
            AccountUnlock => "account_unlock",
            AccessTasksManage => "access_tasks_manage",
            AdministratorNominate => "administrator_nominate",
            PracticeSettingsManage => "practice_settings_manage",
            AuditView => "audit_view",
            AssetsView => "assets_view",
            AssetsManage => "assets_manage",
            RisksView => "risks_view",
            RisksManage => "risks_manage",
            RiskAcceptAboveAppetite => "risk_accept_above_appetite",
            IncidentReport => "incident_report",
            IncidentsView => "incidents_view",
            IncidentsManage => "incidents_manage",
            EvidenceRecover => "evidence_recover",
            DeviceDeclare => "device_declare",
            DevicesManage => "devices_manage",
            DeviceNeedDecide => "device_need_decide",
            PoliciesAcknowledge => "policies_acknowledge",
            PoliciesManage => "policies_manage",
            DsptManage => "dspt_manage",
            ProviderManage => "provider_manage",
            ProviderView => "provider_view",
        }
    }
}

/// What every member of staff may do, whatever else they are.
const EVERYONE: &[Permission] = &[
    Permission::PracticeView,
    Permission::IncidentReport,
    Permission::DeviceDeclare,
    Permission::PoliciesAcknowledge,
];

impl PracticeRole {
    pub const ALL: [PracticeRole; 9] = [
        PracticeRole::Staff,
        PracticeRole::LineManager,
        PracticeRole::PracticeManager,
        PracticeRole::DataProtectionLead,
        PracticeRole::CaldicottGuardian,
        PracticeRole::DataProtectionOfficer,
        PracticeRole::Siro,
        PracticeRole::InformationAssetOwner,
        PracticeRole::SystemAdministrator,
    ];

    /// The permissions this role grants in its practice (on top of [`EVERYONE`]'s).
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            PracticeRole::Staff => &[],
            PracticeRole::LineManager => {
                &[PeopleView, StarterRequest, LeaverRecord, DeviceNeedDecide]
            }
            PracticeRole::PracticeManager => &[
                PeopleView,
                PeopleManage,
                StarterRequest,
                StarterApprove,
                LeaverRecord,
                IdentityVerify,
                AccountUnlock,
                AccessTasksManage,
                AdministratorNominate,
                PracticeSettingsManage,
                AuditView,
                AssetsView,
                AssetsManage,
                RisksView,
                RisksManage,
                IncidentsView,
                IncidentsManage,
                DevicesManage,
                DeviceNeedDecide,
                PoliciesManage,
                DsptManage,
            ],
            PracticeRole::DataProtectionLead => &[
                PeopleView,
                PeopleManage,
                StarterRequest,
                StarterApprove,
                LeaverRecord,
                IdentityVerify,
                AccountUnlock,
                AccessTasksManage,
                PracticeSettingsManage,
                AuditView,
                AssetsView,
                AssetsManage,
                RisksView,
                RisksManage,
                IncidentsView,
                IncidentsManage,
                DevicesManage,
                PoliciesManage,
                DsptManage,
            ],
            PracticeRole::CaldicottGuardian => &[
                PeopleView,
                AssetsView,
                RisksView,
                IncidentsView,
                IncidentsManage,
            ],
            PracticeRole::DataProtectionOfficer => &[
                PeopleView,
                AuditView,
                AssetsView,
                RisksView,
                IncidentsView,
                IncidentsManage,
                EvidenceRecover,
            ],
            PracticeRole::Siro => &[
                PeopleView,
                AdministratorNominate,
                AssetsView,
                RisksView,
                RisksManage,
                RiskAcceptAboveAppetite,
                IncidentsView,
                IncidentsManage,
            ],
            // An IAO edits the assets they own; that finer rule lives with the asset register.
            PracticeRole::InformationAssetOwner => &[AssetsView, RisksView],
            PracticeRole::SystemAdministrator => &[
                PeopleView,
                IdentityVerify,
                AccountUnlock,
                AccessTasksManage,
                AssetsView,
                DevicesManage,
            ],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PracticeRole::Staff => "staff",
            PracticeRole::LineManager => "line_manager",
            PracticeRole::PracticeManager => "practice_manager",
            PracticeRole::DataProtectionLead => "data_protection_lead",
            PracticeRole::CaldicottGuardian => "caldicott_guardian",
            PracticeRole::DataProtectionOfficer => "data_protection_officer",
            PracticeRole::Siro => "siro",
            PracticeRole::InformationAssetOwner => "information_asset_owner",
            PracticeRole::SystemAdministrator => "system_administrator",
        }
    }

    /// The name people use for the role.
    pub fn label(self) -> &'static str {
        match self {
            PracticeRole::Staff => "Staff",
            PracticeRole::LineManager => "Line manager",
            PracticeRole::PracticeManager => "Practice manager",
            PracticeRole::DataProtectionLead => "Data protection lead",
            PracticeRole::CaldicottGuardian => "Caldicott Guardian",
            PracticeRole::DataProtectionOfficer => "Data Protection Officer",
            PracticeRole::Siro => "SIRO",
            PracticeRole::InformationAssetOwner => "Information Asset Owner",
            PracticeRole::SystemAdministrator => "System administrator",
        }
    }
}

impl ProviderRole {
    pub const ALL: [ProviderRole; 3] = [
        ProviderRole::ProviderAdministrator,
        ProviderRole::IgConsultant,
        ProviderRole::Auditor,
    ];

    /// The permissions this role grants in every practice.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            ProviderRole::ProviderAdministrator => &[
                PracticeView,
                PeopleView,
                PeopleManage,
                StarterApprove,
                LeaverRecord,
                IdentityVerify,
                AccountUnlock,
                AccessTasksManage,
                AdministratorNominate,
                PracticeSettingsManage,
                AuditView,
                AssetsView,
                RisksView,
                IncidentsView,
                ProviderManage,
                ProviderView,
            ],
            ProviderRole::IgConsultant => &[
                PracticeView,
                PeopleView,
                AuditView,
                AssetsView,
                AssetsManage,
                RisksView,
                RisksManage,
                IncidentsView,
                IncidentsManage,
                EvidenceRecover,
                DevicesManage,
                PoliciesManage,
                DsptManage,
                ProviderView,
            ],
            // Read-only everywhere, including the audit trail.
            ProviderRole::Auditor => &[
                PracticeView,
                PeopleView,
                AuditView,
                AssetsView,
                RisksView,
                IncidentsView,
                ProviderView,
            ],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderRole::ProviderAdministrator => "provider_administrator",
            ProviderRole::IgConsultant => "ig_consultant",
            ProviderRole::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProviderRole::ProviderAdministrator => "Provider administrator",
            ProviderRole::IgConsultant => "IG consultant",
            ProviderRole::Auditor => "Auditor",
        }
    }
}

/// A role name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}'")]
pub struct UnknownRole(pub String);

impl FromStr for PracticeRole {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PracticeRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

impl FromStr for ProviderRole {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProviderRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

impl fmt::Display for PracticeRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl fmt::Display for ProviderRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What one signed-in person may do: in one practice, or (with no practice) at provider level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub person: PersonId,
    bits: u64,
}

impl Access {
    /// The access of a person with these roles in a practice (`practice_roles` empty when they
    /// are not a member) and these provider roles. A person who is neither a member of the
    /// practice nor provider staff gets no permission at all, not even [`Permission::PracticeView`].
    pub fn new(
        person: PersonId,
        practice_roles: &[PracticeRole],
        provider_roles: &[ProviderRole],
    ) -> Self {
        let mut bits = 0u64;
        if !practice_roles.is_empty() {
            bits |= EVERYONE.iter().fold(0, |b, p| b | p.bit());
        }
        for r in practice_roles {
            bits |= r.permissions().iter().fold(0, |b, p| b | p.bit());
        }
        for r in provider_roles {
            bits |= r.permissions().iter().fold(0, |b, p| b | p.bit());
        }
        Access { person, bits }
    }

    /// No permission at all.
    pub fn none(person: PersonId) -> Self {
        Access { person, bits: 0 }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.bits & p.bit() != 0
    }

    /// Whether this person may see the practice at all. A practice they may not see must
    /// answer exactly as a practice that does not exist.
    pub fn sees_practice(&self) -> bool {
        self.can(Permission::PracticeView)
    }

    pub fn permissions(&self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| self.can(*p))
            .collect()
    }

    /// Keeps only the permissions also in `other` (an API token's scope is a subset of its
    /// owner's permissions).
    pub fn intersect(&self, other: &[Permission]) -> Access {
        let mask = other.iter().fold(0, |b, p| b | p.bit());
        Access {
            person: self.person,
            bits: self.bits & mask,
        }
    }
}

/// Whether someone with `actor`'s access in a practice could give a person `role` there: plain
/// staff by any authoriser, a system administrator by whoever nominates administrators or
/// manages people, every other role only by someone who manages people.
pub fn could_grant(actor: &Access, role: PracticeRole) -> bool {
    match role {
        PracticeRole::Staff => true,
        PracticeRole::SystemAdministrator => {
            actor.can(Permission::AdministratorNominate) || actor.can(Permission::PeopleManage)
        }
        _ => actor.can(Permission::PeopleManage),
    }
}

/// The one rule for who may act on whom — verify their identity and reset their password,
/// unlock them, record them as a leaver, nominate them as an administrator: the target's reach
/// must be within the actor's. Provider staff reach every practice, so only a provider
/// administrator acts on them; anyone else only by someone who could grant every role they hold
/// here. (The permission for the action itself is checked separately, by [`Access::can`].)
pub fn may_act_on(
    actor: &Access,
    target_roles: &[PracticeRole],
    target_provider_roles: &[ProviderRole],
) -> bool {
    if !target_provider_roles.is_empty() {
        return actor.can(Permission::ProviderManage);
    }
    target_roles.iter().all(|r| could_grant(actor, *r))
}

/// The role → permission table as Markdown (docs/permissions.md holds a copy that a test keeps
/// equal to this).
pub fn permission_table_markdown() -> String {
    let mut header = String::from("| permission |");
    let mut rule = String::from("|---|");
    let practice: Vec<Access> = PracticeRole::ALL
        .iter()
        .map(|r| Access::new(PersonId(uuid::Uuid::nil()), &[*r], &[]))
        .collect();
    let provider: Vec<Access> = ProviderRole::ALL
        .iter()
        .map(|r| Access::new(PersonId(uuid::Uuid::nil()), &[], &[*r]))
        .collect();
    for r in PracticeRole::ALL {
        header.push_str(&format!(" {} |", r.label()));
        rule.push_str(":-:|");
    }
    for r in ProviderRole::ALL {
        header.push_str(&format!(" {} (provider) |", r.label()));
        rule.push_str(":-:|");
    }
    let mut out = format!("{header}\n{rule}\n");
    for p in Permission::ALL {
        out.push_str(&format!("| `{}` |", p.as_str()));
        for a in practice.iter().chain(provider.iter()) {
            out.push_str(if a.can(p) { " ✓ |" } else { "   |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_permission_table_is_the_one_in_force() {
        let doc = include_str!("../../../docs/permissions.md");
        let table = permission_table_markdown();
        assert!(
            doc.contains(&table),
            "docs/permissions.md is out of date; replace its table with:\n\n{table}"
        );
    }

    fn access(practice: &[PracticeRole], provider: &[ProviderRole]) -> Access {
        Access::new(PersonId::new(), practice, provider)
    }

    #[test]
    fn who_may_act_on_whom_table() {
        use PracticeRole as R;
        use ProviderRole as P;
        // The target kinds: plain staff of this practice; a locum who also works elsewhere (only
        // their roles here count; staff of another practice are not found at all); a line
        // manager; a practice manager; a system administrator; provider staff; a provider
        // administrator.
        let targets: [(&str, &[R], &[P]); 7] = [
            ("staff", &[R::Staff], &[]),
            ("locum", &[R::Staff], &[]),
            ("line manager", &[R::LineManager], &[]),
            ("practice manager", &[R::PracticeManager], &[]),
            (
                "system administrator",
                &[R::Staff, R::SystemAdministrator],
                &[],
            ),
            ("provider consultant", &[], &[P::IgConsultant]),
            ("provider administrator", &[], &[P::ProviderAdministrator]),
        ];
        // Each actor, and the targets it may act on (by index into `targets`).
        let actors: [(&str, Access, &[usize]); 12] = [
            ("staff", access(&[R::Staff], &[]), &[0, 1]),
            ("line manager", access(&[R::LineManager], &[]), &[0, 1]),
            (
                "practice manager",
                access(&[R::PracticeManager], &[]),
                &[0, 1, 2, 3, 4],
            ),
            (
                "data protection lead",
                access(&[R::DataProtectionLead], &[]),
                &[0, 1, 2, 3, 4],
            ),
            (
                "Caldicott guardian",
                access(&[R::CaldicottGuardian], &[]),
                &[0, 1],
            ),
            ("DPO", access(&[R::DataProtectionOfficer], &[]), &[0, 1]),
            ("SIRO", access(&[R::Siro], &[]), &[0, 1, 4]),
            ("IAO", access(&[R::InformationAssetOwner], &[]), &[0, 1]),
            (
                "system administrator",
                access(&[R::SystemAdministrator], &[]),
                &[0, 1],
            ),
            ("IG consultant", access(&[], &[P::IgConsultant]), &[0, 1]),
            ("auditor", access(&[], &[P::Auditor]), &[0, 1]),
            (
                "provider administrator",
                access(&[], &[P::ProviderAdministrator]),
                &[0, 1, 2, 3, 4, 5, 6],
            ),
        ];
        for (who, a, allowed) in &actors {
            for (i, (whom, roles, provider)) in targets.iter().enumerate() {
                assert_eq!(
                    may_act_on(a, roles, provider),
                    allowed.contains(&i),
                    "{who} acting on {whom}"
                );
            }
        }
    }

    #[test]
    fn permission_bits_are_distinct_and_all_listed() {
        let mut seen = 0u64;
        for p in Permission::ALL {
            assert_eq!(seen & p.bit(), 0, "{p:?} shares a bit");
            seen |= p.bit();
        }
        assert_eq!(Permission::ALL.len(), Permission::ProviderView as usize + 1);
    }

    #[test]
    fn a_stranger_to_the_practice_can_do_nothing_there() {
        let a = access(&[], &[]);
        assert!(!a.sees_practice());
        assert!(Permission::ALL.iter().all(|p| !a.can(*p)));
    }

    #[test]
    fn staff_report_incidents_but_do_not_see_the_staff_list_or_audit() {
        let a = access(&[PracticeRole::Staff], &[]);
        assert!(a.sees_practice());
        assert!(a.can(Permission::IncidentReport));
        assert!(a.can(Permission::PoliciesAcknowledge));
        assert!(!a.can(Permission::PeopleView));
        assert!(!a.can(Permission::AuditView));
    }

    #[test]
    fn line_managers_request_but_cannot_approve_starters() {
        let a = access(&[PracticeRole::Staff, PracticeRole::LineManager], &[]);
        assert!(a.can(Permission::StarterRequest));
        assert!(a.can(Permission::LeaverRecord));
        assert!(!a.can(Permission::StarterApprove));
    }

    #[test]
    fn practice_manager_and_dpl_approve_starters_and_verify_identity() {
        for r in [
            PracticeRole::PracticeManager,
            PracticeRole::DataProtectionLead,
        ] {
            let a = access(&[r], &[]);
            assert!(a.can(Permission::StarterApprove), "{r:?}");
            assert!(a.can(Permission::IdentityVerify), "{r:?}");
            assert!(a.can(Permission::AuditView), "{r:?}");
        }
    }

    #[test]
    fn only_practice_manager_siro_and_provider_admin_nominate_administrators() {
        for r in PracticeRole::ALL {
            let expected = matches!(r, PracticeRole::PracticeManager | PracticeRole::Siro);
            assert_eq!(
                access(&[r], &[]).can(Permission::AdministratorNominate),
                expected,
                "{r:?}"
            );
        }
        assert!(
            access(&[], &[ProviderRole::ProviderAdministrator])
                .can(Permission::AdministratorNominate)
        );
    }

    #[test]
    fn only_the_siro_signs_off_risks_above_appetite() {
        for r in PracticeRole::ALL {
            assert_eq!(
                access(&[r], &[]).can(Permission::RiskAcceptAboveAppetite),
                r == PracticeRole::Siro,
                "{r:?}"
            );
        }
    }

    #[test]
    fn the_auditor_reads_everything_and_changes_nothing() {
        let a = access(&[], &[ProviderRole::Auditor]);
        assert!(a.sees_practice());
        assert!(a.can(Permission::AuditView));
        for p in a.permissions() {
            let name = p.as_str();
            assert!(
                name.ends_with("_view"),
                "auditor has {name}, which is not read-only"
            );
        }
    }

    #[test]
    fn provider_roles_apply_in_every_practice() {
        let a = access(&[], &[ProviderRole::IgConsultant]);
        assert!(a.sees_practice());
        assert!(a.can(Permission::RisksManage));
        assert!(!a.can(Permission::ProviderManage));
    }

    #[test]
    fn token_scope_never_widens_access() {
        let a = access(&[PracticeRole::Staff], &[]);
        let scoped = a.intersect(&[Permission::IncidentReport, Permission::AuditView]);
        assert!(scoped.can(Permission::IncidentReport));
        assert!(!scoped.can(Permission::AuditView));
        assert!(!scoped.can(Permission::PracticeView));
    }

    #[test]
    fn role_names_round_trip() {
        for r in PracticeRole::ALL {
            assert_eq!(r.as_str().parse::<PracticeRole>().unwrap(), r);
        }
        for r in ProviderRole::ALL {
            assert_eq!(r.as_str().parse::<ProviderRole>().unwrap(), r);
        }
        assert!("admin".parse::<PracticeRole>().is_err());
    }
}
