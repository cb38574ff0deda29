use super::*;

#[test]
fn times_are_written_as_the_canonical_record_writes_them() {
    for text in [
        "2026-11-26T13:00:00.000001Z",
        "2026-01-02T03:04:05.120000Z",
        "0999-12-31T23:59:59.999999Z",
    ] {
        let t = DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(canonical_time(&t), text);
        assert_eq!(
            canonical_time(&t),
            t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        );
    }
    // Nanoseconds are cut to microseconds, as chrono's formatting does.
    let t = DateTime::parse_from_rfc3339("2026-11-26T13:00:00.123456789+01:00")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(canonical_time(&t), "2026-11-26T12:00:00.123456Z");
}

#[test]
fn stored_times_give_the_canonical_time_the_parser_would() {
    for text in [
        "2026-11-26T13:00:00.123456+00:00",
        "2026-11-26T13:00:00+00:00",
        "2026-11-26T13:00:00.120+00:00",
        "2026-11-26T13:00:00.123456789+00:00",
        "2026-11-26T13:00:00.5Z",
        "0999-12-31T23:59:59.999999Z",
    ] {
        let parsed = DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc);
        let fast = stored_time_canonical(text.as_bytes()).unwrap();
        assert_eq!(
            std::str::from_utf8(&fast).unwrap(),
            canonical_time(&parsed),
            "{text}"
        );
    }
    // Anything else is left to the parser, which refuses what is not a time.
    for text in [
        "last tuesday",
        "2026-11-26T13:00:00.+00:00",
        "2026-11-26T13:00:00.123456+01:00",
        "2026-11-26 13:00:00.123456+00:00",
        "2026-11-26T13:00:60.123456+00:00",
        "2026-11-26T13:00:00.1234567890+00:00",
        "2026-11-26T13:00:00.123456+00:00 ",
        "2026-11-26T13:00:0",
    ] {
        assert_eq!(stored_time_canonical(text.as_bytes()), None, "{text}");
    }
}

#[test]
fn binary_copies_are_read_row_by_row_and_a_cut_one_is_refused() {
    let mut data = b"PGCOPY\n\xff\r\n\0".to_vec();
    data.extend(0i32.to_be_bytes()); // flags
    data.extend(2i32.to_be_bytes()); // a header extension of two bytes
    data.extend([9, 9]);
    for (seq, text) in [(7i64, Some("seven")), (8, None)] {
        data.extend(2i16.to_be_bytes());
        data.extend(8i32.to_be_bytes());
        data.extend(seq.to_be_bytes());
        match text {
            Some(t) => {
                data.extend((t.len() as i32).to_be_bytes());
                data.extend(t.as_bytes());
            }
            None => data.extend((-1i32).to_be_bytes()),
        }
    }
    data.extend((-1i16).to_be_bytes());
    let mut rows = CopyRows::new(&data).unwrap();
    let mut fields = [None; 2];
    assert!(rows.next_row(&mut fields).unwrap());
    assert_eq!((int8(fields[0]), fields[1]), (Some(7), Some(&b"seven"[..])));
    assert!(rows.next_row(&mut fields).unwrap());
    assert_eq!((int8(fields[0]), fields[1]), (Some(8), None));
    assert!(!rows.next_row(&mut fields).unwrap());
    // Cut short anywhere in a row, or with rows of another width: an error, not a row.
    let cut = &data[..data.len() - 7];
    let mut rows = CopyRows::new(cut).unwrap();
    assert!(rows.next_row(&mut fields).unwrap());
    assert!(rows.next_row(&mut fields).is_err());
    let mut rows = CopyRows::new(&data).unwrap();
    assert!(rows.next_row(&mut [None; 3]).is_err());
    assert!(CopyRows::new(b"seq,text\n7,seven\n").is_err());
}

#[test]
fn stored_hashes_are_read_as_hex_or_refused() {
    let hash: [u8; 32] = std::array::from_fn(|i| (i * 37 + 11) as u8);
    assert_eq!(stored_hash(&hex::encode(hash)), Some(hash));
    assert_eq!(stored_hash(&hex::encode_upper(hash)), Some(hash));
    let mut text = hex::encode(hash);
    assert_eq!(stored_hash(&text[..62]), None, "too short");
    text.replace_range(10..11, "g");
    assert_eq!(stored_hash(&text), None, "not a hex digit");
    assert_eq!(stored_hash(&"é".repeat(32)), None);
}
