//! The wire types' own tests: shapes, round trips, what older services send.

use super::*;

#[test]
fn an_mbox_travels_as_text_when_it_can_and_in_base64_when_it_must() {
    let utf8 = b"From x\ncaf\xc3\xa9\n".to_vec();
    assert_eq!(
        encode_mbox(utf8.clone()),
        (Some("From x\ncafé\n".to_owned()), None)
    );
    let latin1 = b"From x\ncaf\xe9\n".to_vec();
    let (text, encoded) = encode_mbox(latin1.clone());
    assert_eq!((text, encoded.as_deref()), (None, Some("RnJvbSB4CmNhZukK")));
    assert_eq!(decode_mbox(None, encoded), Ok(latin1));
    assert_eq!(decode_mbox(Some("From x\ncafé\n".into()), None), Ok(utf8));
    let err = |m: Option<&str>, b: Option<&str>| {
        decode_mbox(m.map(Into::into), b.map(Into::into)).unwrap_err()
    };
    assert!(err(Some("a"), Some("YQ==")).contains("not both"));
    assert!(err(None, None).contains("no `mbox`"));
    assert!(err(None, Some("not base64!")).contains("`mbox_base64` is not base64"));
}

#[test]
fn job_result_has_one_shape() {
    let job = JobResult {
        id: 7,
        name: "tests".into(),
        platform: "local".into(),
        state: JobState::Running,
        start: Some("2026-01-01T00:00:00Z".into()),
        elapsed_secs: Some(1.5),
        detail: None,
        log_url: log_url(7),
        known_failure: Some("gh-1".into()),
        voting: true,
    };
    let value = serde_json::to_value(&job).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"id": 7, "name": "tests", "platform": "local", "state": "running",
            "start": "2026-01-01T00:00:00Z", "elapsed_secs": 1.5, "detail": null,
            "log_url": "/api/v1/jobs/7/log", "known_failure": "gh-1", "voting": true})
    );
    let back: JobResult = serde_json::from_value(value).unwrap();
    assert_eq!(back, job);
    // An older service's answer, without the field, still reads.
    let mut old = serde_json::to_value(&job).unwrap();
    old.as_object_mut().unwrap().remove("known_failure");
    old.as_object_mut().unwrap().remove("voting");
    let old: JobResult = serde_json::from_value(old).unwrap();
    assert_eq!(old.known_failure, None);
    assert!(old.voting, "an older service's jobs all vote");
}

#[test]
fn approve_takes_a_whole_version_number_and_nothing_else() {
    let parse = |text: &str| serde_json::from_str::<Approve>(text).map(|a| a.version);
    assert_eq!(parse(r#"{"version": 2}"#).unwrap(), 2);
    assert_eq!(parse(r#"{"version": 2.0}"#).unwrap(), 2);
    for bad in [
        r#"{"version": 2.5}"#,
        r#"{"version": -1}"#,
        r#"{"version": 4294967296}"#,
        r#"{"version": "2"}"#,
        r#"{}"#,
        r#"{"version": 1, "extra": 1}"#,
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn backport_of_is_a_whole_change_number_or_nothing() {
    let parse = |extra: &str| {
        let text = format!(
            r#"{{"mbox": "m", "targets": ["main"], "kind": "bugfix", "title": "t"{extra}}}"#
        );
        serde_json::from_str::<CreateChange>(&text).map(|c| c.backport_of)
    };
    assert_eq!(parse("").unwrap(), None);
    assert_eq!(parse(r#", "backport_of": null"#).unwrap(), None);
    assert_eq!(parse(r#", "backport_of": 7"#).unwrap(), Some(7));
    assert_eq!(
        parse(r#", "backport_of": 335274980.0"#).unwrap(),
        Some(335274980)
    );
    for bad in ["7.5", "-1", "\"7\"", "9223372036854775808"] {
        assert!(
            parse(&format!(r#", "backport_of": {bad}"#)).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn enums_round_trip_through_their_names() {
    for state in [
        "queued",
        "running",
        "passed",
        "failed",
        "cancelled",
        "skipped",
    ] {
        assert_eq!(JobState::parse(state).unwrap().as_str(), state);
    }
    for role in ["contributor", "core", "release-manager"] {
        assert_eq!(Role::parse(role).unwrap().as_str(), role);
    }
    assert_eq!(ErrorCode::UnknownChange.as_str(), "unknown_change");
    assert_eq!(ApplyState::AlreadyMerged.as_str(), "already-merged");
    for state in GateStatus::ALL {
        let json = serde_json::to_value(state).unwrap();
        assert_eq!(json, serde_json::Value::String(state.as_str().into()));
        assert_eq!(GateStatus::parse(state.as_str()), Some(*state));
    }
    for state in JobState::ALL {
        assert_eq!(JobState::parse(state.as_str()), Some(*state));
    }
    for state in PostMergeStatus::ALL {
        let json = serde_json::to_value(state).unwrap();
        assert_eq!(json, serde_json::Value::String(state.as_str().into()));
    }
}

#[test]
fn a_gate_state_without_post_merge_still_reads() {
    // What a service from before `post_merge` existed sends.
    let old = r#"{"state": "merged", "summary": "merged as abc", "position": null,
        "queue_length": null, "commit": "abc", "approvals": ["cora"]}"#;
    let gate: GateState = serde_json::from_str(old).unwrap();
    assert_eq!(gate.post_merge, None);
    assert_eq!(gate.state, GateStatus::Merged);
}
