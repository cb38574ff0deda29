//! TOTP (RFC 6238): 30-second steps, six digits, HMAC-SHA1, one step of drift either way, and a
//! replay guard: a step once accepted is never accepted again for that person.

use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;

/// The code for a counter (RFC 4226 HOTP, dynamic truncation).
pub fn hotp(secret: &[u8], counter: u64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    bin % 10u32.pow(DIGITS)
}

/// The time step of a Unix time.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpRefusal {
    /// Not six digits.
    Malformed,
    /// Matches no step in the window.
    Wrong,
    /// Matches a step already used (or older than one used): a replay.
    Replayed,
}

/// Checks `code` at `unix_seconds`, allowing one step of drift either way, refusing any step at
/// or before `last_used_step`. Returns the step to record as used.
pub fn verify(
    secret: &[u8],
    code: &str,
    unix_seconds: i64,
    last_used_step: Option<i64>,
) -> Result<i64, TotpRefusal> {
    let code = code.trim().replace(' ', "");
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TotpRefusal::Malformed);
    }
    let wanted: u32 = code.parse().map_err(|_| TotpRefusal::Malformed)?;
    let now = step_at(unix_seconds);
    let mut replayed = false;
    for step in [now - 1, now, now + 1] {
        if step < 0 || hotp(secret, step as u64) != wanted {
            continue;
        }
        if last_used_step.is_some_and(|last| step <= last) {
            replayed = true;
            continue;
        }
        return Ok(step);
    }
    Err(if replayed {
        TotpRefusal::Replayed
    } else {
        TotpRefusal::Wrong
    })
}

/// The code for a time: for tests and for showing a new enrolment works.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    format!("{:06}", hotp(secret, step_at(unix_seconds) as u64))
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps expect secrets.
pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for &b in data {
        buffer = (buffer << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(BASE32[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=' && *c != '-')
    {
        let v = BASE32
            .iter()
            .position(|&b| b as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn provisioning_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32_encode(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1, secret "12345678901234567890" (8-digit codes there; the six
    /// low digits are what a six-digit authenticator shows).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, eight) in [
            (59, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(secret, step_at(t) as u64), eight % 1_000_000, "t={t}");
        }
    }

    #[test]
    fn rfc_4226_hotp_vectors() {
        let secret = b"12345678901234567890";
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (i, e) in expected.iter().enumerate() {
            assert_eq!(hotp(secret, i as u64), *e);
        }
    }

    #[test]
    fn drift_of_one_step_is_allowed_and_a_used_step_never_again() {
        let secret = b"custodian-test-secret";
        let t = 1_800_000_000;
        let code = code_at(secret, t);
        let step = verify(secret, &code, t + 30, None).expect("one step late is fine");
        assert_eq!(step, step_at(t));
        assert_eq!(
            verify(secret, &code, t + 90, None),
            Err(TotpRefusal::Wrong),
            "three steps late is not"
        );
        assert_eq!(
            verify(secret, &code, t, Some(step)),
            Err(TotpRefusal::Replayed)
        );
        assert_eq!(
            verify(secret, "12345", t, None),
            Err(TotpRefusal::Malformed)
        );
        assert_eq!(
            verify(secret, "abcdef", t, None),
            Err(TotpRefusal::Malformed)
        );
        let next = code_at(secret, t + 30);
        assert_eq!(verify(secret, &next, t + 30, Some(step)), Ok(step + 1));
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
        assert!(base32_decode("1!").is_none());
        let uri = provisioning_uri(b"12345678901234567890", "Custodian", "r.ahmed");
        assert!(uri.starts_with("otpauth://totp/Custodian:r.ahmed?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Custodian"));
    }
}
