//! Page links under a list of results (`_pager.html`): first, last, and two either side of
//! the current page, gaps shown as «…». The dynamic catalog and the static copy share it.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    /// Empty when everything fits on one page.
    pub pages: Vec<PageLink>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub total: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: u32,
    /// `None` for a gap.
    pub url: Option<String>,
    pub current: bool,
}

impl Pager {
    /// Links for page `current` of `pages`; `url(n)` is where page `n` lives.
    pub fn new(current: u32, pages: u32, url: impl Fn(u32) -> String) -> Self {
        let mut numbers: Vec<u32> =
            (current.saturating_sub(2).max(1)..=(current + 2).min(pages)).collect();
        if numbers.first() != Some(&1) {
            numbers.insert(0, 1);
        }
        if numbers.last() != Some(&pages) {
            numbers.push(pages);
        }
        let mut links = Vec::new();
        for (i, n) in numbers.iter().enumerate() {
            if i > 0 && *n > numbers[i - 1] + 1 {
                links.push(PageLink {
                    number: 0,
                    url: None,
                    current: false,
                });
            }
            links.push(PageLink {
                number: *n,
                url: Some(url(*n)),
                current: *n == current,
            });
        }
        Self {
            pages: if pages > 1 { links } else { Vec::new() },
            prev: (current > 1).then(|| url(current - 1)),
            next: (current < pages).then(|| url(current + 1)),
            total: pages,
        }
    }
}

/// The query string of a filter form for a link to another of its pages: the fields that
/// are filled, without those named in `drop` (the page, the format), so that the link adds
/// its own once (a field twice is refused by the form's parser).
pub fn query_of<T: Serialize>(form: &T, drop: &[&str]) -> String {
    let all = serde_urlencoded::to_string(form).unwrap_or_default();
    let kept: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(&all)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && !drop.contains(&k.as_str()))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Pager;

    #[test]
    fn gaps_between_the_window_and_the_ends() {
        let p = Pager::new(10, 20, |n| n.to_string());
        let shown: Vec<u32> = p.pages.iter().map(|l| l.number).collect();
        assert_eq!(shown, [1, 0, 8, 9, 10, 11, 12, 0, 20]);
        assert_eq!(p.prev.as_deref(), Some("9"));
        assert_eq!(p.next.as_deref(), Some("11"));
        assert!(Pager::new(1, 1, |n| n.to_string()).pages.is_empty());
    }

    #[test]
    fn a_query_keeps_the_filled_fields_only() {
        let form = [("who", "иванова"), ("action", ""), ("before", "10")];
        assert_eq!(
            super::query_of(&form, &["before"]),
            "who=%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0"
        );
    }
}
