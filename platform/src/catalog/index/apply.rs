//! The next catalog version's index made from this one and the programs that changed,
//! instead of a full build: a region of 100 000 programs is rebuilt in seconds, an edit is
//! applied in milliseconds. The records of unchanged programs are shared, the tables of
//! positions are remapped, and the changed programs' texts go to a small text index beside
//! the full build's (see `TextIndex::apply`). The result is what a full build of the same
//! catalog gives, answer for answer (tested); where that cannot be guaranteed (an
//! organization renamed or added, the profile dictionary changed), `apply` declines and the
//! caller builds afresh. Every change of a published program leaves a trace the changes
//! are read from (`store::programs_changed_since`); the one deletion that leaves none, a
//! catalog replaced wholesale, marks its version, and the caller builds afresh past it
//! (`store::Version::reset_in`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::super::indexes::CatalogError;
use super::super::model::Rating;
use super::super::store::{GroupLocation, ListedProgram, Organization, Profile};
use super::scan::Attrs;
use super::text::GONE;
use super::{
    by_age, doc_texts, newest_first, ranks, title_key, CatalogIndex, GroupPoint, ProgramDoc,
};

/// What changed in a region's catalog since an index's version, as read from the database.
#[derive(Debug, Default)]
pub struct Changes {
    /// Every program reported changed (`store::programs_changed_since`).
    pub ids: Vec<i64>,
    /// Those of them published now, with their descriptions; a reported id missing here
    /// left the catalog.
    pub programs: Vec<ListedProgram>,
    /// The groups of `programs`, by id.
    pub groups: Vec<GroupLocation>,
    /// Organizations whose row changed.
    pub organizations: Vec<Organization>,
    /// The region's profile dictionary now.
    pub profiles: Vec<Profile>,
}

impl From<GroupLocation> for GroupPoint {
    fn from(g: GroupLocation) -> Self {
        Self {
            id: g.id,
            name: g.name,
            address: g.address,
            location: g.location,
            enroll_from: g.enroll_from,
            enroll_to: g.enroll_to,
            accepting: g.accepting,
        }
    }
}

impl CatalogIndex {
    /// Programs applied since this index's full build.
    pub fn applied(&self) -> usize {
        self.applied
    }

    /// The index of catalog version `version`, which differs from this one's by `changes`;
    /// `None` when only a full build can be trusted to be right (see the module's comment).
    pub fn apply(&self, version: i64, changes: Changes) -> Result<Option<Self>, CatalogError> {
        if !self.same_tables(&changes) {
            return Ok(None);
        }
        let Changes {
            ids,
            programs,
            groups,
            ..
        } = changes;
        let mut affected: HashSet<i64> = ids.iter().copied().collect();
        affected.extend(programs.iter().map(|p| p.id));

        // The changed programs as they are now, in title order.
        let profile_pos = |id: &str| self.profiles.iter().position(|p| p.id == id);
        let mut added: Vec<(ProgramDoc, super::text::Texts)> = Vec::with_capacity(programs.len());
        for p in programs {
            let (Some(org), Some(profile)) = (
                self.org_position(p.organization_id),
                profile_pos(&p.profile_id),
            ) else {
                // An organization or profile a full build would not know either (both
                // tables are the same, `same_tables`): left out, as it leaves it out.
                continue;
            };
            let texts = doc_texts(&p, &self.org_texts[org as usize], &self.profiles[profile]);
            let doc = ProgramDoc::of(p, org, self.org_municipality[org as usize], profile as u16);
            added.push((doc, texts));
        }
        let mut groups_of: HashMap<i64, Vec<GroupPoint>> = HashMap::new();
        for g in groups {
            groups_of.entry(g.program_id).or_default().push(g.into());
        }
        for (doc, _) in &mut added {
            doc.groups = groups_of.remove(&doc.id).unwrap_or_default();
            doc.groups.sort_by_key(|g| g.id);
        }
        added.sort_by_cached_key(|(d, _)| title_key(&d.title, d.id));

        let mut is_gone = vec![false; self.docs.len()];
        for id in &affected {
            if let Some(position) = self.position(*id) {
                is_gone[position as usize] = true;
            }
        }
        let gone = |position: usize| is_gone[position];
        let stays = self.docs.len() - is_gone.iter().filter(|g| **g).count();

        // Where each added program goes among the current ones, by title.
        let before: Vec<usize> = added
            .iter()
            .map(|(d, _)| {
                let key = title_key(&d.title, d.id);
                self.docs
                    .partition_point(|old| title_key(&old.title, old.id) < key)
            })
            .collect();
        let mut docs = self.docs.next(stays + added.len());
        let mut attrs: Vec<Attrs> = Vec::with_capacity(stays + added.len());
        let mut moved = vec![GONE; self.docs.len()];
        let mut texts = Vec::with_capacity(added.len());
        let mut added_at = Vec::with_capacity(added.len());
        let mut next = added.into_iter().zip(before).peekable();
        // One past the end: programs that go after every current one.
        #[allow(clippy::needless_range_loop)]
        for position in 0..=self.docs.len() {
            while let Some(((doc, t), _)) = next.next_if(|(_, b)| *b == position) {
                let at = docs.len() as u32;
                texts.push((at, t));
                added_at.push(at);
                attrs.push(Attrs::of(&doc));
                docs.add(doc);
            }
            if position < self.docs.len() && !gone(position) {
                moved[position] = docs.len() as u32;
                attrs.push(self.attrs[position]);
                docs.keep(&self.docs, position);
            }
        }

        let mut by_id = self.by_id.clone();
        for id in &affected {
            by_id.remove(id);
        }
        for position in by_id.values_mut() {
            *position = moved[*position as usize];
        }
        by_id.extend(added_at.iter().map(|&at| (docs[at as usize].id, at)));

        // «Сначала новые»: the current order remapped, the added merged in.
        added_at.sort_by(|&a, &b| newest_first(&docs[a as usize], &docs[b as usize]));
        let newest_before: Vec<usize> = added_at
            .iter()
            .map(|&at| {
                let doc = &docs[at as usize];
                self.newest.partition_point(|&old| {
                    newest_first(&self.docs[old as usize], doc) == std::cmp::Ordering::Less
                })
            })
            .collect();
        let mut newest = Vec::with_capacity(docs.len());
        let mut next = added_at.iter().zip(newest_before).peekable();
        for k in 0..=self.newest.len() {
            while let Some((&at, _)) = next.next_if(|(_, b)| *b == k) {
                newest.push(at);
            }
            if let Some(&old) = self.newest.get(k) {
                if moved[old as usize] != GONE {
                    newest.push(moved[old as usize]);
                }
            }
        }
        let newest_rank = ranks(&newest);

        // Which programs take applications today: kept, if this index knew already.
        let open_on = self
            .open_on
            .lock()
            .expect("open lock")
            .as_ref()
            .map(|(day, open)| {
                let mut now = vec![false; docs.len()];
                for (old, &at) in moved.iter().enumerate() {
                    if at != GONE {
                        now[at as usize] = open[old];
                    }
                }
                for &at in &added_at {
                    now[at as usize] = docs[at as usize].enrollment_open(*day);
                }
                (*day, Arc::new(now))
            });

        let text = self.text.apply(&moved, texts)?;
        Ok(Some(Self {
            version,
            rating_mean: Rating::mean_of(docs.iter().map(|d| d.rating)),
            by_age: by_age(&attrs),
            attrs,
            docs,
            profiles: self.profiles.clone(),
            orgs: self.orgs.clone(),
            org_by_id: self.org_by_id.clone(),
            org_texts: self.org_texts.clone(),
            org_municipality: self.org_municipality.clone(),
            applied: self.applied + affected.len(),
            org_name_rank: self.org_name_rank.clone(),
            municipalities: self.municipalities.clone(),
            by_id,
            newest,
            newest_rank,
            text,
            open_on: std::sync::Mutex::new(open_on),
            org_counts: std::sync::Mutex::default(),
            facet_ids: self.facet_ids.clone(),
        }))
    }

    /// Whether the tables of organizations and profiles a full build would make now are
    /// this index's: every changed organization known, with the same names and municipality,
    /// and the same profile dictionary.
    fn same_tables(&self, changes: &Changes) -> bool {
        let same_profiles = changes.profiles.len() == self.profiles.len()
            && changes
                .profiles
                .iter()
                .zip(&self.profiles)
                .all(|(a, b)| (&a.id, a.direction, &a.name) == (&b.id, b.direction, &b.name));
        same_profiles
            && changes.organizations.iter().all(|o| {
                self.org_position(o.id).is_some_and(|at| {
                    let at = at as usize;
                    self.orgs[at].short_name == o.short_name
                        && self.org_texts[at] == format!("{} {}", o.name, o.short_name)
                        && self.municipalities[usize::from(self.org_municipality[at])]
                            == o.municipality_id
                })
            })
    }
}
