//! The audit trail in the practice's own words: each event as a sentence with people's and
//! records' names ("Rachel Ahmed viewed Sam Taylor's record"), not its action code. The codes,
//! hashes and proofs stay one click away on the event's own page. Plain rules, no I/O: the
//! caller finds the names.

/// What a sentence is made from: the names are found by the caller.
#[derive(Clone, Copy, Debug)]
pub struct EventFacts<'a> {
    /// `object.verb`, as stored: `person.view`, `session.sign_in`.
    pub action: &'a str,
    /// `success`, `failure` or `denied`.
    pub outcome: &'a str,
    /// Who acted: a person's name, or what Custodian itself was doing.
    pub actor: &'a str,
    /// The record's name (a person's, an asset's, an incident's reference), when known.
    pub object: Option<&'a str>,
}

/// Events said in their own words: the action, what happened (past), what was attempted (the
/// base form, for a failure or a refusal). `{o}` is the record's name.
const SAID: &[(&str, &str, &str)] = &[
    ("session.sign_in", "signed in", "sign in"),
    ("session.end", "signed out", "sign out"),
    (
        "session.mfa",
        "gave their two-factor code",
        "give their two-factor code",
    ),
    (
        "mfa.verify",
        "gave their two-factor code",
        "give their two-factor code",
    ),
    (
        "mfa.enrol",
        "set up two-factor authentication",
        "set up two-factor authentication",
    ),
    ("person.view", "viewed {o}'s record", "view {o}'s record"),
    (
        "person.create",
        "created an account for {o}",
        "create an account for {o}",
    ),
    (
        "person.deactivate",
        "deactivated {o}'s account",
        "deactivate {o}'s account",
    ),
    (
        "person.password_change",
        "changed their password",
        "change their password",
    ),
    (
        "person.password_reset",
        "reset {o}'s password",
        "reset {o}'s password",
    ),
    (
        "person.security_questions_set",
        "set their security questions",
        "set their security questions",
    ),
    ("people.list", "listed the staff", "list the staff"),
    (
        "member.add",
        "added {o} to the staff",
        "add {o} to the staff",
    ),
    (
        "member.roles_change",
        "changed {o}'s roles",
        "change {o}'s roles",
    ),
    (
        "account.lock",
        "locked {o}'s account after failed sign-ins",
        "lock {o}'s account",
    ),
    (
        "account.unlock",
        "unlocked {o}'s account",
        "unlock {o}'s account",
    ),
    (
        "identity.verify",
        "checked {o}'s identity",
        "check {o}'s identity",
    ),
    (
        "identity.unlock",
        "cleared the identity check lock of {o}",
        "clear the identity check lock of {o}",
    ),
    (
        "leaver.process",
        "ended {o}'s access on their exit date",
        "end {o}'s access",
    ),
    (
        "leaver.record",
        "recorded {o} as a leaver",
        "record {o} as a leaver",
    ),
    (
        "administrator.nominate",
        "nominated {o} as a system administrator",
        "nominate {o} as a system administrator",
    ),
    (
        "administrator.end",
        "ended {o}'s nomination as a system administrator",
        "end {o}'s nomination as a system administrator",
    ),
    (
        "access_request.create",
        "asked for access for {o}",
        "ask for access for {o}",
    ),
    (
        "access_request.approve",
        "approved the access request {o}",
        "approve the access request {o}",
    ),
    (
        "access_request.reject",
        "turned down the access request {o}",
        "turn down the access request {o}",
    ),
    (
        "access_grant.done",
        "carried out a login task",
        "carry out a login task",
    ),
    (
        "settings.update",
        "changed the practice's settings",
        "change the practice's settings",
    ),
    (
        "settings.view",
        "viewed the practice's settings",
        "view the practice's settings",
    ),
    (
        "practice.create",
        "brought in the practice {o}",
        "bring in a practice",
    ),
    (
        "practice.import",
        "brought in practices from a spreadsheet",
        "bring in practices from a spreadsheet",
    ),
    (
        "provider.rename",
        "renamed the provider",
        "rename the provider",
    ),
    (
        "provider_threat.create",
        "added a threat to the provider's library",
        "add a threat to the library",
    ),
    (
        "provider_threat.remove",
        "removed a threat from the provider's library",
        "remove a threat from the library",
    ),
    (
        "provider.defaults_update",
        "changed the defaults for new practices",
        "change the defaults for new practices",
    ),
    ("asset.create", "added the asset {o}", "add an asset"),
    (
        "asset.update",
        "changed the asset {o}",
        "change the asset {o}",
    ),
    ("asset.view", "viewed the asset {o}", "view the asset {o}"),
    (
        "asset.import",
        "imported assets from a spreadsheet",
        "import assets from a spreadsheet",
    ),
    (
        "asset_access.create",
        "gave access to {o}",
        "give access to {o}",
    ),
    (
        "asset_access.remove",
        "removed access to {o}",
        "remove access to {o}",
    ),
    (
        "asset_access.review",
        "reviewed who has access to {o}",
        "review who has access to {o}",
    ),
    (
        "asset_flow.create",
        "added a data flow from {o}",
        "add a data flow from {o}",
    ),
    ("risk.create", "raised the risk {o}", "raise a risk"),
    ("risk.update", "changed the risk {o}", "change the risk {o}"),
    ("risk.view", "viewed the risk {o}", "view the risk {o}"),
    (
        "risk.review",
        "reviewed the risk {o}",
        "review the risk {o}",
    ),
    (
        "risk.accept",
        "accepted the risk {o}",
        "accept the risk {o}",
    ),
    (
        "risk.import",
        "imported risks from a spreadsheet",
        "import risks from a spreadsheet",
    ),
    (
        "risk_report.create",
        "drafted the quarterly report {o}",
        "draft the quarterly report",
    ),
    (
        "risk_report.minutes",
        "recorded the meeting's minutes on the report {o}",
        "record the minutes on the report {o}",
    ),
    (
        "risk_report.sign",
        "signed off the quarterly report {o}",
        "sign off the quarterly report {o}",
    ),
    (
        "incident.report",
        "reported the incident {o}",
        "report an incident",
    ),
    (
        "incident.view",
        "viewed the incident {o}",
        "view the incident {o}",
    ),
    (
        "incident.update",
        "changed the incident {o}",
        "change the incident {o}",
    ),
    (
        "evidence.download",
        "downloaded the evidence file {o}",
        "download the evidence file {o}",
    ),
    (
        "evidence.upload",
        "attached the evidence file {o}",
        "attach an evidence file",
    ),
    (
        "evidence.remove",
        "removed the evidence file {o}",
        "remove the evidence file {o}",
    ),
    ("device.add", "added the device {o}", "add a device"),
    (
        "device.change",
        "changed the device {o}",
        "change the device {o}",
    ),
    (
        "device.view",
        "viewed the device {o}",
        "view the device {o}",
    ),
    (
        "device.list",
        "read the equipment register",
        "read the equipment register",
    ),
    (
        "device.custody",
        "recorded what happened to the device {o}",
        "record what happened to the device {o}",
    ),
    (
        "device.issue",
        "issued the device {o}",
        "issue the device {o}",
    ),
    (
        "device.return",
        "recorded the return of the device {o}",
        "record the return of the device {o}",
    ),
    (
        "device.repair",
        "sent the device {o} for repair",
        "send the device {o} for repair",
    ),
    (
        "device.restock",
        "put the device {o} back in stock",
        "put the device {o} back in stock",
    ),
    (
        "device.lose",
        "recorded the device {o} lost or stolen",
        "record the device {o} lost or stolen",
    ),
    (
        "device.dispose",
        "recorded the disposal of the device {o}",
        "record the disposal of the device {o}",
    ),
    (
        "personal_device.declare",
        "declared a personal device",
        "declare a personal device",
    ),
    (
        "personal_device.list",
        "read the personal devices",
        "read the personal devices",
    ),
    (
        "personal_device.view",
        "viewed the personal device {o}",
        "view the personal device {o}",
    ),
    (
        "personal_device.need",
        "decided the business need for the personal device {o}",
        "decide the business need for the personal device {o}",
    ),
    (
        "personal_device.check",
        "checked the personal device {o}",
        "check the personal device {o}",
    ),
    (
        "personal_device.withdraw",
        "confirmed the personal device {o} no longer used, its access removed and work data deleted",
        "confirm the personal device {o} no longer used",
    ),
    (
        "provider.devices",
        "read every practice's equipment figures",
        "read every practice's equipment figures",
    ),
    ("audit.list", "read the audit trail", "read the audit trail"),
    (
        "audit.view",
        "opened an event of the audit trail",
        "open an event of the audit trail",
    ),
    (
        "audit.export",
        "downloaded an export of the audit trail",
        "download an export of the audit trail",
    ),
    (
        "audit.report",
        "read the inappropriate-use report",
        "read the inappropriate-use report",
    ),
    (
        "audit.prune",
        "removed events past the retention period",
        "remove old events",
    ),
];

/// Verbs of actions not said above: (verb, past, base).
const VERBS: &[(&str, &str, &str)] = &[
    ("create", "added", "add"),
    ("update", "changed", "change"),
    ("view", "viewed", "view"),
    ("list", "listed", "list"),
    ("remove", "removed", "remove"),
    ("delete", "deleted", "delete"),
    ("restore", "restored", "restore"),
    ("purge", "deleted for good", "delete for good"),
    ("import", "imported", "import"),
    (
        "import_upload",
        "uploaded a spreadsheet of",
        "upload a spreadsheet of",
    ),
    ("export", "exported", "export"),
    ("download", "downloaded", "download"),
    ("approve", "approved", "approve"),
    ("reject", "turned down", "turn down"),
    ("cancel", "cancelled", "cancel"),
    ("accept", "accepted", "accept"),
    ("review", "reviewed", "review"),
    ("sign", "signed", "sign"),
    ("open", "opened", "open"),
    ("close", "closed", "close"),
    ("done", "completed", "complete"),
    ("end", "ended", "end"),
    ("send", "sent", "send"),
    (
        "choices",
        "chose how they hear of",
        "choose how they hear of",
    ),
];

/// The event as a sentence: "Rachel Ahmed viewed Sam Taylor's record", "Sam Taylor was refused
/// permission to read the audit trail", "Dr Locum could not sign in".
pub fn sentence(e: &EventFacts) -> String {
    let (past, base) = phrases(e.action);
    let object = e.object.unwrap_or("a record");
    let fill = |p: &str| p.replace("{o}", object);
    let with_object = |p: String| {
        // A generic phrase names its record at the end, when there is one.
        match (e.object, SAID.iter().any(|(a, _, _)| *a == e.action)) {
            (Some(o), false) => format!("{p} {o}"),
            _ => p,
        }
    };
    match e.outcome {
        "denied" => format!(
            "{} was refused permission to {}",
            e.actor,
            with_object(fill(&base))
        ),
        "failure" => format!("{} could not {}", e.actor, with_object(fill(&base))),
        _ => format!("{} {}", e.actor, with_object(fill(&past))),
    }
}

/// What happened and what was attempted, for an action.
fn phrases(action: &str) -> (String, String) {
    if let Some((_, past, base)) = SAID.iter().find(|(a, _, _)| *a == action) {
        return (past.to_string(), base.to_string());
    }
    let (noun, verb) = action.split_once('.').unwrap_or((action, ""));
    let noun = noun.replace('_', " ");
    match VERBS.iter().find(|(v, _, _)| *v == verb) {
        Some((_, past, base)) => (format!("{past} the {noun}"), format!("{base} the {noun}")),
        None => {
            let verb = verb.replace('_', " ");
            (format!("{noun}: {verb}"), format!("{noun}: {verb}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn say(action: &str, outcome: &str, object: Option<&str>) -> String {
        sentence(&EventFacts {
            action,
            outcome,
            actor: "Rachel Ahmed",
            object,
        })
    }

    #[test]
    fn events_read_as_sentences_with_names() {
        assert_eq!(
            say("person.view", "success", Some("Sam Taylor")),
            "Rachel Ahmed viewed Sam Taylor's record"
        );
        assert_eq!(
            say("asset_access.create", "success", Some("EMIS Web")),
            "Rachel Ahmed gave access to EMIS Web"
        );
        assert_eq!(
            say("audit.list", "denied", None),
            "Rachel Ahmed was refused permission to read the audit trail"
        );
        assert_eq!(
            say("session.sign_in", "failure", None),
            "Rachel Ahmed could not sign in"
        );
        // An action with no words of its own still reads, naming its record.
        assert_eq!(
            say("incident_action.update", "success", Some("INC-2026-0042")),
            "Rachel Ahmed changed the incident action INC-2026-0042"
        );
        assert_eq!(
            say("calendar_feed.open", "success", None),
            "Rachel Ahmed opened the calendar feed"
        );
        assert_eq!(say("odd.thing", "success", None), "Rachel Ahmed odd: thing");
    }
}
