//! The dashboard's HTML, rendered on the server: the vendors with their datasets and `curl`
//! lines, the clock, the loaded scenarios, and the empty frames (journal, charts, ledger,
//! rules) that `app.js` fills from the admin JSON endpoints. Also the login form.
//!
//! Every value is HTML-escaped; the page's `Content-Security-Policy` allows only its own
//! script and style sheet, and no framing (the reset button cannot be clickjacked).

use std::fmt::Write as _;

use bytes::Bytes;
use hyper::{Request, StatusCode};

use crate::admin::Host;
use crate::header_name;
use crate::response::{Reply, reply, set_header};
use crate::world::World;

use super::super::guard::request_host;

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML answer with the page's security headers.
fn html(status: StatusCode, body: String) -> Reply {
    let mut res = reply(status, "text/html; charset=utf-8", Bytes::from(body));
    for (name, value) in [
        (
            header_name!("content-security-policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header_name!("x-frame-options"), "DENY"),
        (header_name!("cache-control"), "no-store"),
        (header_name!("referrer-policy"), "same-origin"),
        (header_name!("x-content-type-options"), "nosniff"),
    ] {
        set_header(&mut res, name, value);
    }
    res
}

/// The document around `main` (`csrf`: the token state-changing requests carry).
fn document(title: &str, csrf: Option<&str>, main: &str) -> String {
    let csrf = csrf.map_or_else(String::new, |t| {
        format!("<meta name=\"eventmock-csrf\" content=\"{}\">\n", esc(t))
    });
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n{csrf}<link rel=\"stylesheet\" href=\"/__eventmock/ui/app.css\">\n\
         <link rel=\"icon\" href=\"/__eventmock/ui/favicon.svg\" type=\"image/svg+xml\">\n\
         <script src=\"/__eventmock/ui/app.js\" defer></script>\n</head>\n<body>\n{main}</body>\n</html>\n",
        esc(title)
    )
}

/// The login form (admin token set, no session), with `problem` said above it.
pub(super) fn login(status: StatusCode, problem: Option<&str>) -> Reply {
    let problem = problem.map_or_else(String::new, |p| {
        format!("<p class=\"problem\" role=\"alert\">{}</p>\n", esc(p))
    });
    let main = format!(
        "<main class=\"login\">\n<h1>eventmock dashboard</h1>\n\
         <p>This server has an admin token. Enter it to open the dashboard; the browser keeps \
         a session cookie, not the token.</p>\n{problem}\
         <form method=\"post\" action=\"/__eventmock/ui/login\">\n\
         <label for=\"token\">Admin token</label>\n\
         <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required>\n\
         <button type=\"submit\">Log in</button>\n</form>\n</main>\n"
    );
    html(status, document("eventmock dashboard: log in", None, &main))
}

/// The vendors table and their `curl` lines, for a page seen at `host`.
fn vendors(world: &World, host: &str, out: &mut String) {
    out.push_str(
        "<section aria-labelledby=\"vendors-h\">\n<h2 id=\"vendors-h\">Vendors</h2>\n\
         <table id=\"vendors\">\n<caption>Mounted vendors and their datasets</caption>\n<thead><tr>\
         <th scope=\"col\">Vendor</th><th scope=\"col\">Mounted at</th>\
         <th scope=\"col\">Events now</th><th scope=\"col\">Added at run time</th>\
         <th scope=\"col\">Seed</th><th scope=\"col\">Dataset size</th>\
         <th scope=\"col\">Arrivals</th></tr></thead>\n<tbody>\n",
    );
    let host_only = host
        .rsplit_once(':')
        .filter(|(h, port)| port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':'))
        .map_or(host, |(h, _)| h);
    let mut curls = String::new();
    for m in &world.mounts {
        let vendor = m.api.vendor();
        let config = m.api.dataset_config();
        let arrivals = world
            .time
            .arrivals
            .iter()
            .find(|(v, _)| *v == vendor)
            .map_or_else(|| "none".to_owned(), |(_, rate)| rate.to_string());
        let at = match m.port {
            None => format!("{host}{}", m.prefix),
            Some(p) => format!("{host_only}:{p}{}", m.prefix),
        };
        let _ = writeln!(
            out,
            "<tr data-vendor=\"{v}\" data-prefix=\"{prefix}\"><th scope=\"row\">{v}</th><td><code>{}/</code></td>\
             <td class=\"num\" data-field=\"total\">{}</td><td class=\"num\" data-field=\"added\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&m.prefix),
            m.api.total(),
            m.api.added(),
            config.seed,
            config.len,
            esc(&arrivals),
            v = esc(vendor.name()),
            prefix = esc(&m.prefix),
        );
        let base = format!("http://{at}");
        let _ = writeln!(
            curls,
            "<dt>{}</dt><dd><pre><code data-base=\"{}\">{}</code></pre></dd>",
            esc(vendor.name()),
            esc(&base),
            esc(&m.api.example_curl(&base))
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let _ = write!(
        out,
        "<details open>\n<summary>Try it: one <code>curl</code> per vendor</summary>\n\
         <dl class=\"curls\">\n{curls}</dl>\n</details>\n</section>\n"
    );
}

/// The clock line and the scenarios.
fn world_summary(world: &World, out: &mut String) {
    let clock = super::super::clock::describe(world);
    let text = |k: &str| clock[k].as_str().unwrap_or_default().to_owned();
    let scenarios = if world.scenario_names.is_empty() {
        "the embedded default (all five vendors)".to_owned()
    } else {
        world
            .scenario_names
            .iter()
            .map(|n| format!("<code>{}</code>", esc(n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "<p class=\"summary\">Clock <strong id=\"clock-mode\">{}</strong>, now \
         <time id=\"clock-now\">{}</time> (started <time>{}</time>). Scenario: {scenarios}.</p>",
        esc(&text("mode")),
        esc(&text("now")),
        esc(&text("start")),
    );
}

/// The frames `app.js` fills.
const PANELS: &str = include_str!("assets/panels.html");

/// The dashboard page.
pub(super) fn dashboard(app: &dyn Host, req: &Request<Bytes>, session: Option<&str>) -> Reply {
    let world = app.world();
    let host = request_host(req.uri(), req.headers()).unwrap_or("127.0.0.1");
    let csrf = app.control().sessions().csrf(session);
    let mut main = String::with_capacity(16 * 1024);
    main.push_str("<header>\n<h1>eventmock dashboard</h1>\n");
    if session.is_some() {
        main.push_str("<button type=\"button\" id=\"logout\">Log out</button>\n");
    }
    main.push_str("</header>\n<main>\n");
    world_summary(&world, &mut main);
    vendors(&world, host, &mut main);
    main.push_str(PANELS);
    main.push_str("</main>\n");
    html(
        StatusCode::OK,
        document("eventmock dashboard", csrf.as_deref(), &main),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
