//! The threat library: common threats to a GP practice's information, and the provider's own.

use super::*;

/// A common GP-practice threat a practice can add to its register in one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LibraryEntry {
    pub key: &'static str,
    pub title: &'static str,
    pub threat: &'static str,
    pub vulnerability: &'static str,
    pub category: &'static str,
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
    /// Suggested on the 5 × 5 matrix; scaled to a smaller one.
    pub likelihood: u8,
    pub impact: u8,
    pub controls: &'static str,
}

impl LibraryEntry {
    /// The entry as a new risk for the form, on the practice's matrix.
    pub fn to_input(&self, m: &Matrix) -> RiskInput {
        Threat::from(self).to_input(m)
    }
}

/// A threat of a library: a built-in one (its key is a word) or one the provider added (its key
/// is its id).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Threat {
    pub key: String,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 2000)]
    pub threat: String,
    #[schema(min_length = 1, max_length = 2000)]
    pub vulnerability: String,
    /// people, process, technology, supplier or physical.
    pub category: String,
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
    /// On the 5 × 5 matrix (1 to 5); scaled to a smaller matrix.
    #[schema(minimum = 1, maximum = 5)]
    pub likelihood: u8,
    #[schema(minimum = 1, maximum = 5)]
    pub impact: u8,
    pub controls: String,
    /// Added by the provider rather than built in.
    pub from_provider: bool,
}

impl From<&LibraryEntry> for Threat {
    fn from(e: &LibraryEntry) -> Threat {
        Threat {
            key: e.key.into(),
            title: e.title.into(),
            threat: e.threat.into(),
            vulnerability: e.vulnerability.into(),
            category: e.category.into(),
            confidentiality: e.confidentiality,
            integrity: e.integrity,
            availability: e.availability,
            likelihood: e.likelihood,
            impact: e.impact,
            controls: e.controls.into(),
            from_provider: false,
        }
    }
}

/// The title, threat and vulnerability of a risk or a library threat, checked alike.
pub(crate) fn threat_text(
    c: &mut Checker,
    title: &str,
    threat: &str,
    vulnerability: &str,
) -> (String, String, String) {
    (
        c.text("title", "a short title", title, 200),
        c.text("threat", "the threat: what could happen", threat, 2000),
        c.text(
            "vulnerability",
            "the vulnerability it exploits",
            vulnerability,
            2000,
        ),
    )
}

impl Threat {
    /// Checks a threat the provider adds to its library.
    pub fn validate(&self) -> Result<Threat, Invalid> {
        let mut c = Checker::new();
        let mut out = self.clone();
        (out.title, out.threat, out.vulnerability) =
            threat_text(&mut c, &self.title, &self.threat, &self.vulnerability);
        out.category = choice(
            &mut c,
            "category",
            "the category",
            &self.category,
            CATEGORIES,
        );
        out.controls = self.controls.trim().to_string();
        if out.controls.chars().count() > 2000 {
            c.fail("controls", "This must be 2000 characters or fewer");
        }
        if !(self.confidentiality || self.integrity || self.availability) {
            c.fail(
                "confidentiality",
                "Say which of confidentiality, integrity and availability the threat affects",
            );
        }
        for (field, v, what) in [
            ("likelihood", self.likelihood, "likelihood"),
            ("impact", self.impact, "impact"),
        ] {
            if !(1..=5).contains(&v) {
                c.fail(
                    field,
                    format!("Suggest the {what} from 1 to 5 (on the 5 × 5 matrix)"),
                );
            }
        }
        c.finish()?;
        out.from_provider = true;
        Ok(out)
    }

    /// The threat as a new risk for the form, on the practice's matrix.
    pub fn to_input(&self, m: &Matrix) -> RiskInput {
        let scale = |v: u8| -> u8 {
            let s = u16::from(v.clamp(1, 5)) * u16::from(m.size());
            (s.div_ceil(5)).clamp(1, u16::from(m.size())) as u8
        };
        let (l, i) = (scale(self.likelihood), scale(self.impact));
        let why = |on: bool, what: &str| if on { what.to_string() } else { String::new() };
        RiskInput {
            title: self.title.clone(),
            threat: self.threat.clone(),
            vulnerability: self.vulnerability.clone(),
            category: self.category.clone(),
            confidentiality: self.confidentiality,
            confidentiality_reason: why(
                self.confidentiality,
                "Data seen by people who should not see it",
            ),
            integrity: self.integrity,
            integrity_reason: why(self.integrity, "Records changed or corrupted"),
            availability: self.availability,
            availability_reason: why(
                self.availability,
                "Records or systems unavailable when needed",
            ),
            inherent_likelihood: Some(l),
            inherent_impact: Some(i),
            residual_likelihood: Some(l),
            residual_impact: Some(i),
            controls: self.controls.clone(),
            treatment: "reduce".into(),
            status: "open".into(),
            ..Default::default()
        }
    }
}

/// The built-in library of common threats to a GP practice's information.
pub const LIBRARY: &[LibraryEntry] = &[
    LibraryEntry {
        key: "phishing",
        title: "Phishing email leads to a stolen password",
        threat: "A member of staff enters their password on a fake sign-in page sent by email",
        vulnerability: "Staff not always able to spot phishing; accounts without two-factor authentication",
        category: "people",
        confidentiality: true,
        integrity: true,
        availability: false,
        likelihood: 4,
        impact: 4,
        controls: "NHSmail filtering; annual data security training",
    },
    LibraryEntry {
        key: "ransomware",
        title: "Ransomware encrypts practice systems",
        threat: "Malware encrypts files on practice computers and the shared drive and demands payment",
        vulnerability: "Unpatched computers; macros and downloads allowed; backups reachable from the network",
        category: "technology",
        confidentiality: true,
        integrity: true,
        availability: true,
        likelihood: 3,
        impact: 5,
        controls: "Anti-malware on every computer; NHS-managed firewall; backups",
    },
    LibraryEntry {
        key: "lost_device",
        title: "A laptop, phone or memory stick is lost or stolen",
        threat: "A device holding practice or patient data is lost or stolen outside the practice",
        vulnerability: "Devices or removable media not encrypted; data stored locally",
        category: "physical",
        confidentiality: true,
        integrity: false,
        availability: true,
        likelihood: 3,
        impact: 4,
        controls: "Practice-issued encrypted media only; device register",
    },
    LibraryEntry {
        key: "unsupported_software",
        title: "Unsupported software on practice computers",
        threat: "An attacker exploits a known flaw in software that no longer receives security updates",
        vulnerability: "Old operating systems or applications kept for one task",
        category: "technology",
        confidentiality: true,
        integrity: true,
        availability: true,
        likelihood: 3,
        impact: 4,
        controls: "Software inventory; automatic updates",
    },
    LibraryEntry {
        key: "misdirected_email",
        title: "Email with patient data sent to the wrong person",
        threat: "A letter or result is emailed to the wrong address, or to a whole list",
        vulnerability: "Address autocomplete; similar names; no check before sending",
        category: "people",
        confidentiality: true,
        integrity: false,
        availability: false,
        likelihood: 4,
        impact: 3,
        controls: "NHSmail encryption for external addresses; training",
    },
    LibraryEntry {
        key: "staff_snooping",
        title: "Staff look at records they have no reason to",
        threat: "A member of staff opens the record of a relative, neighbour or public figure",
        vulnerability: "Role-based access is broad; audit trails not reviewed",
        category: "people",
        confidentiality: true,
        integrity: false,
        availability: false,
        likelihood: 3,
        impact: 3,
        controls: "Confidentiality clauses; smartcard access; audit reports",
    },
    LibraryEntry {
        key: "supplier_breach",
        title: "A supplier suffers a breach",
        threat: "A supplier that hosts or processes practice data is breached or fails",
        vulnerability: "Suppliers not checked for DSPT compliance; contracts without data protection terms",
        category: "supplier",
        confidentiality: true,
        integrity: true,
        availability: true,
        likelihood: 2,
        impact: 4,
        controls: "Contracts with data processing terms; suppliers' DSPT status checked",
    },
    LibraryEntry {
        key: "power_network_loss",
        title: "Loss of power or network connection",
        threat: "A power cut or network outage stops access to the clinical system",
        vulnerability: "One network line; no tested business continuity plan",
        category: "physical",
        confidentiality: false,
        integrity: false,
        availability: true,
        likelihood: 3,
        impact: 3,
        controls: "Business continuity plan; clinical system hosted by the supplier",
    },
    LibraryEntry {
        key: "paper_records_loss",
        title: "Paper records lost, damaged or seen",
        threat: "Paper notes or printouts are lost, left in view, or damaged by fire or water",
        vulnerability: "Paper kept in unlocked rooms; no clear-desk habit",
        category: "physical",
        confidentiality: true,
        integrity: true,
        availability: true,
        likelihood: 2,
        impact: 3,
        controls: "Locked store; confidential waste bins",
    },
    LibraryEntry {
        key: "password_sharing",
        title: "Staff share passwords or smartcards",
        threat: "Staff use each other's logins, so actions cannot be traced to a person",
        vulnerability: "Busy reception; slow sign-in; shared computers left signed in",
        category: "people",
        confidentiality: true,
        integrity: true,
        availability: false,
        likelihood: 3,
        impact: 3,
        controls: "Acceptable use policy; screen lock after inactivity",
    },
];

/// A library entry by key.
pub fn library_entry(key: &str) -> Option<&'static LibraryEntry> {
    LIBRARY.iter().find(|e| e.key == key)
}
