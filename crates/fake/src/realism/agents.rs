//! User agents of the clients that call these APIs today, with their shares: current desktop
//! and mobile browsers (people using the web consoles), and the CLIs, SDKs and HTTP libraries
//! that automation uses. Versions are those current at the default anchor (January 2026).

/// A user agent and its relative share.
pub type Agent = (&'static str, u32);

/// Browsers and automation clients seen by web consoles and their APIs.
pub const AGENTS: &[Agent] = &[
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36",
        24,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36",
        14,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15",
        8,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36 Edg/143.0.0.0",
        7,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:146.0) Gecko/20100101 Firefox/146.0",
        4,
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36",
        3,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 26_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1",
        5,
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Mobile Safari/537.36",
        3,
    ),
    ("curl/8.17.0", 5),
    ("python-requests/2.32.5", 8),
    ("Go-http-client/2.0", 5),
    ("okhttp/4.12.0", 2),
    ("axios/1.13.2", 3),
    ("Terraform/1.14.1 (+https://www.terraform.io)", 2),
    (
        "aws-sdk-go-v2/1.39.6 os/linux lang/go#1.25.4 md/GOOS#linux md/GOARCH#amd64",
        2,
    ),
    ("PostmanRuntime/7.49.1", 2),
    ("Python/3.12 aiohttp/3.13.2", 1),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_are_current_and_distinct() {
        for (i, (a, w)) in AGENTS.iter().enumerate() {
            assert!(*w > 0, "{a}");
            assert!(!AGENTS[i + 1..].iter().any(|(b, _)| a == b), "{a} twice");
        }
        let browsers: u32 = AGENTS
            .iter()
            .filter(|(a, _)| a.starts_with("Mozilla/5.0"))
            .map(|(_, w)| w)
            .sum();
        let total: u32 = AGENTS.iter().map(|(_, w)| w).sum();
        assert!(browsers * 100 / total >= 60, "people use browsers most");
    }
}
