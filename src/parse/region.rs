//! Regions: resolves an agency name to its place in the national division
//! list (province → prefecture → county → township) and its statistical
//! code, using the document text to choose between places of the same name.
//! Never guesses: a name that stays ambiguous resolves to no code.

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{Context, Result};

use crate::words::WORDS;

/// The compact division table derived from the gazetteer (`xxgk divisions`).
const BUILTIN_DIVISIONS: &str = include_str!("../../data/divisions.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Province,
    Prefecture,
    County,
    Township,
}

impl Level {
    /// Division codes are 2, 4, 6 or 9 digits by level.
    fn from_code(code: &str) -> Option<Level> {
        match code.len() {
            2 => Some(Level::Province),
            4 => Some(Level::Prefecture),
            6 => Some(Level::County),
            9 => Some(Level::Township),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
            Level::Township => "township",
        }
    }
}

#[derive(Debug, Clone)]
struct Division {
    code: String,
    name: String,
    level: Level,
    parent: Option<usize>,
}

/// Where a report's agency sits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Region {
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub township: Option<String>,
    pub division_code: Option<String>,
    /// `province`, `prefecture`, `county`, `township`, or `department` (a
    /// bureau, commission or office of the government at that place).
    pub admin_level: Option<&'static str>,
}

impl Region {
    /// The place as one path, e.g. `内蒙古自治区/巴彦淖尔市/乌拉特中旗/甘其毛都镇`.
    pub fn path(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.province, &self.city, &self.county, &self.township]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    Found(Region),
    /// Several places fit equally well: their codes.
    Ambiguous(Vec<String>),
    NotFound,
}

pub struct Divisions {
    entries: Vec<Division>,
    matcher: AhoCorasick,
    /// Per matcher pattern: the entries with that name.
    by_pattern: Vec<Vec<usize>>,
    /// Names the list lacks (`平潭综合实验区`) → entry.
    aliases: Vec<(String, usize)>,
}

impl Divisions {
    /// The text of the division table at `path`, or of the built-in copy.
    pub fn read(path: Option<&Path>) -> Result<String> {
        match path {
            Some(p) => std::fs::read_to_string(p).with_context(|| format!("cannot read divisions {}", p.display())),
            None => Ok(BUILTIN_DIVISIONS.to_string()),
        }
    }

    /// Reads `code<TAB>name<TAB>parent` lines; errors name `source` and the line.
    pub fn parse(text: &str, aliases: &HashMap<String, String>, source: &str) -> Result<Divisions> {
        let mut entries = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty() && !l.starts_with('#')) {
            let mut fields = line.split('\t');
            let (Some(code), Some(name), parent) = (fields.next(), fields.next(), fields.next()) else {
                anyhow::bail!("{source}:{}: expected code, name, parent separated by tabs, found {line:?}", n + 1);
            };
            let level = Level::from_code(code).with_context(|| format!("{source}:{}: bad code {code:?}", n + 1))?;
            let parent = match parent.filter(|p| !p.is_empty()) {
                Some(p) => Some(*index.get(p).with_context(|| format!("{source}:{}: unknown parent {p:?}", n + 1))?),
                None => None,
            };
            index.insert(code.to_string(), entries.len());
            entries.push(Division { code: code.to_string(), name: name.to_string(), level, parent });
        }
        // Placeholders such as 市辖区 name no place.
        let mut patterns: Vec<&str> = Vec::new();
        let mut by_pattern: Vec<Vec<usize>> = Vec::new();
        let mut pattern_of: HashMap<&str, usize> = HashMap::new();
        for (i, d) in entries.iter().enumerate() {
            if WORDS.places.is_not_a_place(&d.name) || d.name.chars().count() < 2 {
                continue;
            }
            let p = *pattern_of.entry(d.name.as_str()).or_insert_with(|| {
                patterns.push(d.name.as_str());
                by_pattern.push(Vec::new());
                patterns.len() - 1
            });
            by_pattern[p].push(i);
        }
        let matcher = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&patterns)?;
        let mut alias_entries = Vec::new();
        for (name, code) in aliases {
            let entry = index.get(code).with_context(|| format!("region alias {name}: unknown code {code}"))?;
            alias_entries.push((name.clone(), *entry));
        }
        // Longest alias first, so the most specific wins.
        alias_entries.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Ok(Divisions { entries, matcher, by_pattern, aliases: alias_entries })
    }

    /// Resolves `agency`; `context` (the document's prose) breaks ties
    /// between places of the same name.
    pub fn resolve(&self, agency: &str, context: &str) -> Resolution {
        // (entry candidates, end of the name in the agency)
        let mut hits: Vec<(&[usize], usize)> = self
            .matcher
            .find_iter(agency)
            .map(|m| (self.by_pattern[m.pattern().as_usize()].as_slice(), m.end()))
            .collect();
        for (alias, entry) in &self.aliases {
            if let Some(at) = agency.find(alias.as_str()) {
                hits.push((std::slice::from_ref(entry), at + alias.len()));
            }
        }
        let Some(deepest) = hits.iter().flat_map(|(c, _)| c.iter()).map(|&i| self.entries[i].level).max() else {
            return Resolution::NotFound;
        };
        let mut candidates: Vec<(usize, usize)> = hits
            .iter()
            .flat_map(|(c, end)| c.iter().map(move |&i| (i, *end)))
            .filter(|&(i, _)| self.entries[i].level == deepest)
            .collect();
        candidates.sort();
        candidates.dedup_by_key(|c| c.0);
        // Places of the same name are told apart by their ancestors' names,
        // in the agency or else in the text: a search of the whole document
        // per ancestor, so only done when there is a choice.
        if candidates.len() > 1 {
            let score = |i: usize| -> usize {
                self.ancestors(i)
                    .map(|a| self.entries[a].name.as_str())
                    .map(|name| if agency.contains(name) { 2 } else { usize::from(context.contains(name)) })
                    .sum()
            };
            let scores: Vec<usize> = candidates.iter().map(|&(i, _)| score(i)).collect();
            let best = scores.iter().copied().max().unwrap_or(0);
            candidates = candidates.into_iter().zip(scores).filter(|&(_, s)| s == best).map(|(c, _)| c).collect();
        }
        match candidates.as_slice() {
            [(entry, end)] => Resolution::Found(self.region(*entry, &agency[*end..])),
            winners => Resolution::Ambiguous(winners.iter().map(|&(i, _)| self.entries[i].code.clone()).collect()),
        }
    }

    /// A random county, or township with its county (`五台县耿镇镇`), for
    /// synthetic reports.
    pub fn random_place(&self, rng: &mut fastrand::Rng) -> Option<String> {
        let usable = |d: &Division| d.level >= Level::County && !WORDS.places.is_not_a_place(&d.name);
        let picked = (0..64)
            .map(|_| rng.usize(..self.entries.len().max(1)))
            .find(|&i| self.entries.get(i).is_some_and(usable))?;
        let place = &self.entries[picked];
        Some(match (place.level, place.parent) {
            (Level::Township, Some(county)) => format!("{}{}", self.entries[county].name, place.name),
            _ => place.name.clone(),
        })
    }

    fn ancestors(&self, entry: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.entries[entry].parent, move |&p| self.entries[p].parent)
    }

    /// The region of `entry`; `rest` is what the agency name says after the place.
    fn region(&self, entry: usize, rest: &str) -> Region {
        let mut region = Region { division_code: Some(self.entries[entry].code.clone()), ..Region::default() };
        for i in std::iter::once(entry).chain(self.ancestors(entry)) {
            let d = &self.entries[i];
            let slot = match d.level {
                Level::Province => &mut region.province,
                Level::Prefecture => &mut region.city,
                Level::County => &mut region.county,
                Level::Township => &mut region.township,
            };
            if !WORDS.places.is_not_a_place(&d.name) {
                *slot = Some(d.name.clone());
            }
        }
        // An agency named by its place alone, or with a government ending, is the place's government.
        let rest = rest.trim();
        let is_government = rest.is_empty() || WORDS.places.government.iter().any(|g| g == rest);
        region.admin_level = Some(if is_government { self.entries[entry].level.as_str() } else { "department" });
        region
    }
}

/// Derives the compact division table from the gazetteer's CSV files
/// (provinces, cities, areas, streets): `code<TAB>name<TAB>parent` lines,
/// parents first.
pub fn derive(gazetteer: &Path) -> Result<String> {
    let mut out = String::from("# code\tname\tparent: national division codes, derived by `xxgk divisions`\n");
    let files = [("provinces.csv", None), ("cities.csv", Some(2)), ("areas.csv", Some(2)), ("streets.csv", Some(2))];
    // Column holding each file's parent code: cities → provinceCode, areas → cityCode, streets → areaCode.
    for (file, parent_column) in files {
        let path = gazetteer.join(file);
        let mut reader = csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
        for record in reader.records() {
            let record = record.with_context(|| format!("bad record in {}", path.display()))?;
            let code = record.get(0).context("no code")?;
            let name = record.get(1).context("no name")?;
            let parent = parent_column.and_then(|c| record.get(c)).unwrap_or("");
            out.push_str(&format!("{code}\t{name}\t{parent}\n"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn divisions() -> Divisions {
        let text =
            "15\t内蒙古自治区\t\n1508\t巴彦淖尔市\t15\n150824\t乌拉特中旗\t1508\n150824104\t甘其毛都镇\t150824\n\
                    22\t吉林省\t\n2205\t通化市\t22\n220503\t二道江区\t2205\n220503101\t铁厂镇\t220503\n\
                    13\t河北省\t\n1302\t唐山市\t13\n130281\t遵化市\t1302\n130281109\t铁厂镇\t130281\n\
                    35\t福建省\t\n3501\t福州市\t35\n350128\t平潭县\t3501\n";
        let aliases = HashMap::from([("平潭综合实验区".to_string(), "350128".to_string())]);
        Divisions::parse(text, &aliases, "divisions").unwrap()
    }

    fn found(r: Resolution) -> Region {
        match r {
            Resolution::Found(region) => region,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn township_government() {
        let r = found(divisions().resolve("乌拉特中旗甘其毛都镇人民政府", ""));
        assert_eq!(r.division_code.as_deref(), Some("150824104"));
        assert_eq!(r.admin_level, Some("township"));
        assert_eq!(r.path().as_deref(), Some("内蒙古自治区/巴彦淖尔市/乌拉特中旗/甘其毛都镇"));
    }

    #[test]
    fn same_name_needs_context() {
        let d = divisions();
        assert_eq!(
            d.resolve("铁厂镇", "本镇工作"),
            Resolution::Ambiguous(vec!["220503101".into(), "130281109".into()])
        );
        let r = found(d.resolve("铁厂镇", "我单位办公地址为通化市二道江区铁厂镇人民政府"));
        assert_eq!(r.division_code.as_deref(), Some("220503101"));
    }

    #[test]
    fn departments_and_aliases() {
        let d = divisions();
        let r = found(d.resolve("平潭综合实验区公安局", ""));
        assert_eq!((r.division_code.as_deref(), r.admin_level), (Some("350128"), Some("department")));
        assert_eq!(found(d.resolve("平潭综合实验区", "")).admin_level, Some("county"));
        assert_eq!(d.resolve("某某公司", ""), Resolution::NotFound);
    }
}
