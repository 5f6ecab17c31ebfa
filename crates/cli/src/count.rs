//! Event counts given on the command line (`generate --count`, `serve --events`): whole
//! numbers in 1 ..= 2^40, refused with a message that says what is wrong with the text.

use eventmock_fake::codec::MAX_INDEX;

/// Parses a count of events, as clap's `value_parser` (clap prefixes the flag and the value).
pub fn parse_count(text: &str) -> Result<u64, String> {
    let range = format!("expected a whole number of events in 1 ..= {MAX_INDEX} (2^40)");
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("empty: {range}"));
    }
    if t.starts_with('-') {
        return Err(format!("a count cannot be negative: {range}"));
    }
    if t.parse::<u64>().is_err() {
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("too large: {range}"));
        }
        if t.contains(['e', 'E']) && t.parse::<f64>().is_ok() {
            return Err(format!(
                "scientific notation is not accepted: write the number in digits (1e6 is \
                 1000000); {range}"
            ));
        }
        if t.parse::<f64>().is_ok() {
            return Err(format!("not a whole number: {range}"));
        }
        return Err(format!("not a number: {range}"));
    }
    match t.parse::<u64>() {
        Ok(0) => Err(format!("zero events: {range}")),
        Ok(n) if n > MAX_INDEX => Err(format!("too large: {range}")),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("not a number: {range}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_clear_refusals() {
        assert_eq!(parse_count("1"), Ok(1));
        assert_eq!(parse_count("1000000"), Ok(1_000_000));
        assert_eq!(parse_count(&MAX_INDEX.to_string()), Ok(MAX_INDEX));
        for (text, says) in [
            ("-5", "cannot be negative"),
            ("1e6", "write the number in digits"),
            ("2.5", "not a whole number"),
            ("0", "zero events"),
            ("1099511627777", "too large"),
            ("99999999999999999999999", "too large"),
            ("ten", "not a number"),
            ("", "empty"),
        ] {
            let err = parse_count(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
            assert!(err.contains("1 ..= 1099511627776"), "{text}: {err}");
        }
    }
}
