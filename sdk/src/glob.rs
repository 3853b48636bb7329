//! Path globs, for policies that judge which files a change touches.
//!
//! The glob crates of the ecosystem all need `std`, and policies are `no_std`, so this is a
//! small matcher of its own, with gitignore's rules:
//! `*` matches within one path segment, `**` across segments (`**/` also matches no
//! directory at all), `?` matches one character other than `/`, `[abc]`, `[a-z]` and
//! `[!a-z]` match one character of (or not of) a class. A pattern without a `/` matches a
//! file name in any directory (`*.sql`); one with a `/` matches the whole path.
//!
//! ```
//! use relgate_sdk::glob::matches;
//!
//! assert!(matches("**/migrations/**", "db/migrations/0042_users.sql"));
//! assert!(matches("*.sql", "db/schema/users.sql"));
//! assert!(matches("src/auth/*.rs", "src/auth/token.rs"));
//! assert!(!matches("src/auth/*.rs", "src/auth/oauth/google.rs"));
//! ```

use alloc::vec::Vec;

/// Whether `path` (with `/` separators, no leading `/`) matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    let path = path.trim_start_matches("./");
    let pattern = pattern.trim_start_matches('/');
    let (pattern, path) = if pattern.contains('/') { (pattern, path) } else { (pattern, basename(path)) };
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    match_at(&p, &s)
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn match_at(p: &[char], s: &[char]) -> bool {
    match p {
        [] => s.is_empty(),
        ['*', '*', rest @ ..] => {
            if let ['/', after @ ..] = rest
                && match_at(after, s)
            {
                return true;
            }
            (0..=s.len()).any(|i| match_at(rest, &s[i..]))
        }
        ['*', rest @ ..] => {
            let segment = s.iter().position(|&c| c == '/').unwrap_or(s.len());
            (0..=segment).any(|i| match_at(rest, &s[i..]))
        }
        ['?', rest @ ..] => matches!(s, [c, ..] if *c != '/') && match_at(rest, &s[1..]),
        ['[', rest @ ..] => match (s.first(), class(rest)) {
            (Some(&c), Some((class_matches, after))) if c != '/' => class_matches(c) && match_at(after, &s[1..]),
            (_, None) => matches!(s, ['[', ..]) && match_at(rest, &s[1..]),
            _ => false,
        },
        [c, rest @ ..] => s.first() == Some(c) && match_at(rest, &s[1..]),
    }
}

/// Parses a class after its `[`: a predicate and the pattern after the `]`, or `None` when
/// there is no closing `]` (the `[` is then literal).
fn class(p: &[char]) -> Option<(impl Fn(char) -> bool + '_, &[char])> {
    let (negated, body) = match p {
        ['!' | '^', rest @ ..] => (true, rest),
        _ => (false, p),
    };
    // A `]` right after the opening bracket is a member, not the end.
    let end = body.iter().skip(1).position(|&c| c == ']')? + 1;
    let members = &body[..end];
    let predicate = move |c: char| {
        let mut i = 0;
        let mut found = false;
        while i < members.len() {
            if i + 2 < members.len() && members[i + 1] == '-' {
                found |= (members[i]..=members[i + 2]).contains(&c);
                i += 3;
            } else {
                found |= members[i] == c;
                i += 1;
            }
        }
        found != negated
    };
    Some((predicate, &body[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn glob_table() {
        let cases = [
            ("*.sql", "schema.sql", true),
            ("*.sql", "db/deep/schema.sql", true),
            ("*.sql", "schema.sql.bak", false),
            ("src/*.rs", "src/lib.rs", true),
            ("src/*.rs", "src/auth/lib.rs", false),
            ("src/**/*.rs", "src/lib.rs", true),
            ("src/**/*.rs", "src/a/b/c.rs", true),
            ("src/**", "src/a/b/c.rs", true),
            ("src/**", "srcx/a.rs", false),
            ("**/migrations/**", "migrations/001.sql", true),
            ("**/migrations/**", "db/migrations/001.sql", true),
            ("**/migrations/**", "db/migration/001.sql", false),
            ("auth/**", "src/auth/x.rs", false),
            ("**/auth/**", "src/auth/x.rs", true),
            ("file?.txt", "file1.txt", true),
            ("file?.txt", "file10.txt", false),
            ("a?b", "a/b", false),
            ("[abc].md", "b.md", true),
            ("[abc].md", "d.md", false),
            ("[a-c][0-9].md", "c7.md", true),
            ("[!a-c].md", "d.md", true),
            ("[!a-c].md", "a.md", false),
            ("[].md", "].md", false),
            ("[]].md", "].md", true),
            ("[unclosed", "[unclosed", true),
            ("Dockerfile", "services/api/Dockerfile", true),
            ("/infra/*.tf", "infra/main.tf", true),
            ("infra/*.tf", "./infra/main.tf", true),
            ("é*", "été.txt", true),
            ("", "", true),
            ("", "a", false),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(matches(pattern, path), expected, "{pattern} ~ {path}");
        }
    }
}
