//! The facts the checks across years need, spilled to a file as reports are
//! written and kept in the dataset (`_xxgk/year-facts`), so that a later run
//! can check its reports against the years already held. Only an index by
//! agency and year stays in memory, so memory does not grow with the number
//! of reports.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::template::Template;
use crate::validate::YearFacts;

pub struct FactFile<'t> {
    path: PathBuf,
    file: BufWriter<File>,
    written: u64,
    /// The catalog's templates; a record names its template by its index
    /// here, which the dataset's fingerprint keeps stable between runs.
    templates: &'t [Template],
    /// (agency, year) → how many reports, and where the first one starts.
    index: HashMap<(u64, i16), (u32, u64)>,
    record: Vec<u8>,
}

impl<'t> FactFile<'t> {
    pub fn create(path: &Path, templates: &'t [Template]) -> Result<FactFile<'t>> {
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(FactFile {
            path: path.to_path_buf(),
            file: BufWriter::new(file),
            written: 0,
            templates,
            index: HashMap::new(),
            record: Vec::new(),
        })
    }

    /// Writes one report's facts. A record is its length (u32), its
    /// template's index (u8) and the encoded facts.
    pub fn push(&mut self, facts: &YearFacts<'t>) -> Result<()> {
        self.record.clear();
        encode_record(self.templates, facts, &mut self.record)?;
        let length = u32::try_from(self.record.len()).context("facts record too long")?;
        self.file.write_all(&length.to_le_bytes())?;
        self.file.write_all(&self.record)?;
        let entry = self.index.entry((facts.agency, facts.year)).or_insert((0, self.written));
        entry.0 += 1;
        self.written += 4 + u64::from(length);
        Ok(())
    }

    /// Copies the facts of another fact file (a previous run's) whose report
    /// id passes `keep`.
    pub fn copy_from(&mut self, path: &Path, keep: impl Fn(&str) -> bool) -> Result<()> {
        let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut reader = BufReader::new(file);
        let mut record = Vec::new();
        while read_record(&mut reader, &mut record).with_context(|| format!("cannot read {}", path.display()))? {
            let facts = decode(self.templates, &record, path)?;
            if keep(&facts.report_id) {
                self.push(&facts)?;
            }
        }
        Ok(())
    }

    /// Calls `pair` with each report and the one report of the same agency
    /// for the year before, when there is exactly one.
    pub fn for_each_pair(&mut self, mut pair: impl FnMut(&YearFacts<'t>, &YearFacts<'t>) -> Result<()>) -> Result<()> {
        self.file.flush()?;
        let file = File::open(&self.path).with_context(|| format!("cannot read {}", self.path.display()))?;
        let mut reader = BufReader::new(&file);
        let mut record = Vec::new();
        let mut previous_record = Vec::new();
        while read_record(&mut reader, &mut record).with_context(|| format!("cannot read {}", self.path.display()))? {
            let this = decode(self.templates, &record, &self.path)?;
            let Some(&(1, offset)) = self.index.get(&(this.agency, this.year - 1)) else {
                continue;
            };
            let mut length = [0; 4];
            file.read_exact_at(&mut length, offset)?;
            previous_record.resize(u32::from_le_bytes(length) as usize, 0);
            file.read_exact_at(&mut previous_record, offset + 4)?;
            pair(&this, &decode(self.templates, &previous_record, &self.path)?)?;
        }
        Ok(())
    }

    /// Writes out what is buffered; the file stays.
    pub fn finish(mut self) -> Result<()> {
        self.file.flush().with_context(|| format!("cannot write {}", self.path.display()))
    }
}

fn decode<'t>(templates: &'t [Template], record: &[u8], path: &Path) -> Result<YearFacts<'t>> {
    decode_record(templates, record).with_context(|| format!("corrupt record in {}", path.display()))
}

/// Appends `facts` as a record: its template's index in `templates`, then
/// the encoded facts.
pub fn encode_record(templates: &[Template], facts: &YearFacts, out: &mut Vec<u8>) -> Result<()> {
    let template = templates
        .iter()
        .position(|t| std::ptr::eq(t, facts.template))
        .context("facts of a template not in the catalog")?;
    out.push(u8::try_from(template).context("too many templates")?);
    facts.encode(out);
    Ok(())
}

/// The facts of a record [`encode_record`] wrote; `None` when it is damaged.
pub fn decode_record<'t>(templates: &'t [Template], record: &[u8]) -> Option<YearFacts<'t>> {
    let template = templates.get(usize::from(*record.first()?))?;
    YearFacts::decode(&record[1..], template)
}

/// Reads the next length-prefixed record; false at the end of the file.
fn read_record(reader: &mut impl Read, record: &mut Vec<u8>) -> Result<bool> {
    let mut length = [0; 4];
    match reader.read_exact(&mut length) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    record.resize(u32::from_le_bytes(length) as usize, 0);
    reader.read_exact(record).context("the file ends inside a record")?;
    Ok(true)
}
