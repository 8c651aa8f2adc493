//! Where a session keeps its access tokens: the login's token set
//! (`tokenSet`) and one entry per other audience and scope
//! (`accessTokens[]`, nextjs-auth0's multi-resource refresh token shape),
//! and how refreshed tokens are written there.

use crate::server::session::{AccessTokenEntry, SessionData};

use super::ledger::Refreshed;

/// Most `accessTokens[]` entries a session keeps; past it, the entry that
/// expires first is dropped (it is fetched again when next asked for).
pub(crate) const MAX_AUDIENCE_TOKENS: usize = 8;

/// Whether the scope `granted` includes every scope of `wanted`.
pub(super) fn scope_covers(granted: Option<&str>, wanted: Option<&str>) -> bool {
    let Some(wanted) = wanted else { return true };
    let granted: Vec<&str> = granted.unwrap_or("").split_whitespace().collect();
    wanted.split_whitespace().all(|w| granted.contains(&w))
}

/// `base` and `extra` as one scope string, each scope once, in order.
pub(super) fn merge_scopes(base: &str, extra: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for s in base.split_whitespace().chain(extra.split_whitespace()) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out.join(" ")
}

fn same_scopes(a: Option<&str>, b: Option<&str>) -> bool {
    scope_covers(a, b) && scope_covers(b, a)
}

/// The scope an entry answers for: what was asked for (nextjs-auth0
/// matches on it, since providers filter the granted scope per API), else
/// what was granted.
fn entry_scope(e: &AccessTokenEntry) -> Option<&str> {
    e.requested_scope.as_deref().or(e.scope.as_deref())
}

/// The entry of `entries` for `audience` whose scope covers `scope`: an
/// exact match first, else the one with the fewest scopes.
pub(super) fn find_entry(
    entries: &[AccessTokenEntry],
    audience: &str,
    scope: Option<&str>,
) -> Option<usize> {
    let candidates = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.audience == audience && scope_covers(entry_scope(e), scope));
    let mut best: Option<(usize, usize)> = None;
    for (i, e) in candidates {
        if scope.is_some() && same_scopes(entry_scope(e), scope) {
            return Some(i);
        }
        let width = entry_scope(e).map_or(0, |s| s.split_whitespace().count());
        if best.is_none_or(|(_, w)| width < w) {
            best = Some((i, width));
        }
    }
    best.map(|(i, _)| i)
}

/// Writes the access token of one refresh into `data`: the login's token
/// set, or the `accessTokens[]` entry of its audience and scope (replacing
/// the entry it renews and those it covers). Expired entries are dropped,
/// and at most [`MAX_AUDIENCE_TOKENS`] are kept. The refresh token is not
/// touched (the caller sets the newest one once).
pub(super) fn write(data: &mut SessionData, step: &Refreshed, now: i64) {
    let r = &step.response;
    if step.wrong_audience {
        return;
    }
    let expires_at = r.expires_at(step.at);
    if let Some(id) = &r.id_token {
        data.token_set.id_token = Some(id.clone());
    }
    let Some(audience) = &step.audience else {
        let t = &mut data.token_set;
        t.access_token = r.access_token.clone();
        t.expires_at = expires_at;
        t.scope = r
            .scope
            .clone()
            .or_else(|| step.scope.clone())
            .or(t.scope.take());
        if step.scope.is_some() {
            t.requested_scope = step.scope.clone();
        }
        if r.token_type.is_some() {
            t.token_type = r.token_type.clone();
        }
        return;
    };
    let entry = AccessTokenEntry {
        access_token: r.access_token.clone(),
        audience: audience.clone(),
        scope: r.scope.clone().or_else(|| step.scope.clone()),
        requested_scope: step.scope.clone(),
        expires_at,
        token_type: r.token_type.clone(),
    };
    let list = &mut data.access_tokens;
    // The entry this renews (same audience and scope), and those it covers.
    list.retain(|e| {
        !(e.audience == entry.audience && scope_covers(entry_scope(&entry), entry_scope(e)))
    });
    list.retain(|e| e.expires_at > now);
    while list.len() >= MAX_AUDIENCE_TOKENS {
        let Some(first) = list
            .iter()
            .enumerate()
            .min_by_key(|(_, e)| e.expires_at)
            .map(|(i, _)| i)
        else {
            break;
        };
        list.remove(first);
    }
    list.push(entry);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::oidc::TokenResponse;
    use crate::server::session::TokenSet;
    use crate::server::tokens::ledger::Owner;
    use crate::User;

    fn entry(audience: &str, scope: &str, expires_at: i64) -> AccessTokenEntry {
        AccessTokenEntry {
            access_token: format!("{audience} {scope}").into(),
            audience: audience.into(),
            scope: Some(scope.into()),
            requested_scope: Some(scope.into()),
            expires_at,
            token_type: None,
        }
    }

    fn step(audience: Option<&str>, scope: Option<&str>, token: &str) -> Refreshed {
        Refreshed {
            response: TokenResponse {
                access_token: token.into(),
                id_token: None,
                refresh_token: None,
                expires_in: Some(100.into()),
                scope: None,
                token_type: Some("Bearer".into()),
                issued_token_type: None,
                recovery_code: None,
            },
            at: 1000,
            owner: Owner {
                sub: "u".into(),
                sid: String::new(),
                created_at: 1,
            },
            audience: audience.map(Into::into),
            scope: scope.map(Into::into),
            wrong_audience: false,
        }
    }

    #[test]
    fn the_exact_scope_wins_else_the_narrowest_cover() {
        let list = [
            entry("a", "x y z", 9),
            entry("a", "x y", 9),
            entry("b", "x", 9),
        ];
        assert_eq!(find_entry(&list, "a", Some("x")), Some(1));
        assert_eq!(find_entry(&list, "a", Some("z y x")), Some(0));
        assert_eq!(find_entry(&list, "a", Some("w")), None);
        assert_eq!(find_entry(&list, "b", None), Some(2));
        assert_eq!(find_entry(&list, "c", None), None);
    }

    #[test]
    fn writing_renews_in_place_drops_expired_and_caps_the_list() {
        let mut data = SessionData::new(User::default(), TokenSet::default(), None, 1);
        data.access_tokens = vec![
            entry("a", "x", 2000),
            entry("a", "x y", 2000),
            entry("gone", "x", 999),
        ];
        write(&mut data, &step(Some("a"), Some("x"), "new"), 1000);
        let a: Vec<_> = data
            .access_tokens
            .iter()
            .map(|e| (e.audience.as_str(), e.access_token.secret()))
            .collect();
        assert_eq!(
            a,
            [("a", "a x y"), ("a", "new")],
            "renewed, broader kept, expired dropped"
        );
        assert_eq!(data.access_tokens[1].expires_at, 1100);

        for i in 0..20 {
            write(&mut data, &step(Some(&format!("api{i}")), None, "t"), 1000);
        }
        assert_eq!(data.access_tokens.len(), MAX_AUDIENCE_TOKENS);

        write(&mut data, &step(None, Some("openid more"), "primary"), 1000);
        assert_eq!(data.token_set.access_token.secret(), "primary");
        assert_eq!(
            data.token_set.requested_scope.as_deref(),
            Some("openid more")
        );
    }
}
