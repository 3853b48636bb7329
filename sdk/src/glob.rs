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

use alloc::vec;
use alloc::vec::Vec;

/// Whether `path` (with `/` separators, no leading `/`) matches `pattern`.
///
/// The cost is linear in the product of the lengths, whatever the pattern (a table over
/// pattern tokens and path positions, not backtracking): `*a*a*a*a*a*a*a*a*b` on a long path
/// is as quick as any other pattern.
pub fn matches(pattern: &str, path: &str) -> bool {
    let path = path.trim_start_matches("./");
    let pattern = pattern.trim_start_matches('/');
    let (pattern, path) = if pattern.contains('/') { (pattern, path) } else { (pattern, basename(path)) };
    let tokens = tokens(&pattern.chars().collect::<Vec<_>>());
    let s: Vec<char> = path.chars().collect();
    // `next[i]`: whether the tokens after the current one match `s[i..]`.
    let mut next = vec![false; s.len() + 1];
    next[s.len()] = true;
    for token in tokens.iter().rev() {
        let mut row = vec![false; s.len() + 1];
        // For `**/`: whether some `/` at or after `i` is followed by a match of the rest.
        let mut slash_then_rest = false;
        for i in (0..=s.len()).rev() {
            let c = s.get(i).copied();
            let step = |ok: bool| ok && next.get(i + 1).copied().unwrap_or(false);
            row[i] = match token {
                Token::Star => next[i] || (c.is_some_and(|c| c != '/') && row[i + 1]),
                Token::GlobStar => next[i] || (c.is_some() && row[i + 1]),
                Token::GlobStarSlash => {
                    slash_then_rest |= c == Some('/') && next[i + 1];
                    next[i] || slash_then_rest
                }
                Token::One => step(c.is_some_and(|c| c != '/')),
                Token::Class(class) => step(c.is_some_and(|c| c != '/' && class.contains(c))),
                Token::Literal(l) => step(c == Some(*l)),
            };
        }
        next = row;
    }
    next[0]
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

enum Token {
    /// `*`: any characters within one segment.
    Star,
    /// `**` not followed by `/`: any characters.
    GlobStar,
    /// `**/`: no directory at all, or any characters up to and including a `/`.
    GlobStarSlash,
    /// `?`: one character other than `/`.
    One,
    /// `[...]`.
    Class(Class),
    /// Itself (an unclosed `[` too).
    Literal(char),
}

fn tokens(p: &[char]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let (token, width) = match &p[i..] {
            ['*', '*', '/', ..] => (Token::GlobStarSlash, 3),
            ['*', '*', ..] => (Token::GlobStar, 2),
            ['*', ..] => (Token::Star, 1),
            ['?', ..] => (Token::One, 1),
            ['[', rest @ ..] => match Class::parse(rest) {
                Some((class, width)) => (Token::Class(class), width + 1),
                None => (Token::Literal('['), 1),
            },
            [c, ..] => (Token::Literal(*c), 1),
            [] => unreachable!("i < p.len()"),
        };
        tokens.push(token);
        i += width;
    }
    tokens
}

/// A character class: `[abc]`, `[a-z]`, `[!a-z]`.
struct Class {
    negated: bool,
    members: Vec<char>,
}

impl Class {
    /// Parses a class after its `[`: the class and how many characters it took, `]`
    /// included, or `None` when there is no closing `]` (the `[` is then literal).
    fn parse(p: &[char]) -> Option<(Class, usize)> {
        let (negated, skip) = match p {
            ['!' | '^', ..] => (true, 1),
            _ => (false, 0),
        };
        let body = &p[skip..];
        // A `]` right after the opening bracket is a member, not the end.
        let end = body.iter().skip(1).position(|&c| c == ']')? + 1;
        Some((Class { negated, members: body[..end].to_vec() }, skip + end + 1))
    }

    fn contains(&self, c: char) -> bool {
        let members = &self.members;
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
        found != self.negated
    }
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

    #[test]
    fn backtracking_patterns_on_long_paths_finish() {
        // Exponential for a backtracking matcher (over 60 s); a table here. A timing assertion
        // would be flaky, so this finishing at all is the test: the suite would hang otherwise.
        let path: alloc::string::String = "a".repeat(5000);
        assert!(!matches("*a*a*a*a*a*a*a*a*b", &path));
        assert!(!matches("**/*a*a*a*a*a*a*a*a*b", &alloc::format!("x/{path}")));
        assert!(matches("*a*a*a*a*a*a*a*a*a", &path));
    }
}
