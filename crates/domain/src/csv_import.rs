//! Reading a register's CSV file for import: the size and row limits, the header checked
//! against the register's columns, each cell checked for UTF-8, and each problem named by row and
//! column. The registers' own rules (`asset_import`, `risk_import`) check the values.

use std::collections::HashMap;

use serde::Serialize;

use crate::Invalid;

/// The largest file an import reads (10 MiB), and the most rows.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_IMPORT_ROWS: usize = 20_000;

/// One problem in one cell (or row) of the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The row as a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    /// The column's name, or empty when the problem is with the whole row.
    pub column: String,
    pub message: String,
}

/// A file, checked: every row that would be written and every problem found.
#[derive(Clone, Debug)]
pub struct ImportPlan<T> {
    /// Rows read, not counting the header and wholly empty rows.
    pub rows: usize,
    /// Rows that pass every check, with their row numbers.
    pub valid: Vec<(usize, T)>,
    /// Problems, in row order.
    pub errors: Vec<RowError>,
}

impl<T> Default for ImportPlan<T> {
    fn default() -> Self {
        ImportPlan {
            rows: 0,
            valid: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl<T> ImportPlan<T> {
    /// Rows with at least one problem.
    pub fn invalid_rows(&self) -> usize {
        let mut rows: Vec<usize> = self.errors.iter().map(|e| e.row).collect();
        rows.dedup();
        rows.len()
    }
}

/// A row of the file with its cells by column (trimmed) and the problems found reading it.
#[derive(Clone, Debug)]
pub struct CsvRow {
    pub row: usize,
    cells: HashMap<String, String>,
    pub errors: Vec<RowError>,
    /// The row could not be read as CSV at all: its error says so and its cells are empty.
    pub unreadable: bool,
}

impl CsvRow {
    /// The cell of a column, or empty when the file has no such column.
    pub fn cell(&self, column: &str) -> &str {
        self.cells.get(column).map(|s| s.trim()).unwrap_or("")
    }
    pub fn fail(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(RowError {
            row: self.row,
            column: column.into(),
            message: message.into(),
        });
    }
    pub fn has_error(&self, column: &str) -> bool {
        self.errors.iter().any(|e| e.column == column)
    }
}

pub(crate) fn file_error(message: impl Into<String>) -> Invalid {
    Invalid::one("file", message)
}

fn normalise_header(h: &str) -> String {
    h.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

fn size(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// Accepts a choice as its stored value or its label, in any case and with or without
/// thousands separators ("Under 1000" for "Under 1,000").
pub fn choice(value: &str, list: &[(&str, &str)]) -> String {
    let v = value.trim();
    let plain = |s: &str| s.replace(',', "").to_lowercase();
    let wanted = plain(v);
    list.iter()
        .find(|(k, l)| k.eq_ignore_ascii_case(v) || (!v.is_empty() && plain(l) == wanted))
        .map(|(k, _)| k.to_string())
        .unwrap_or_else(|| v.to_string())
}

/// Reads yes/no cells: yes, y, true, 1 or no, n, false, 0 (empty is no).
pub fn yes_no(row: &mut CsvRow, column: &str) -> bool {
    match row.cell(column).to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => false,
        "yes" | "y" | "true" | "1" => true,
        other => {
            let other = other.to_string();
            row.fail(
                column,
                format!("Enter yes or no, not \u{201c}{other}\u{201d}"),
            );
            false
        }
    }
}

/// Reads a whole number cell (empty is `None`), naming what it should be when it is not one.
pub fn number<N: std::str::FromStr>(row: &mut CsvRow, column: &str, what: &str) -> Option<N> {
    let v = row.cell(column).to_string();
    if v.is_empty() {
        return None;
    }
    match v.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            row.fail(
                column,
                format!("Enter {what} as a whole number, not \u{201c}{v}\u{201d}"),
            );
            None
        }
    }
}

/// Reads a register file whose columns are `columns` (in any order), of which `required` must
/// be there; `item` names a row's thing ("asset", "risk"). A problem with the file as a whole is
/// an `Err` naming it.
pub fn read(
    bytes: &[u8],
    columns: &[&str],
    required: &[&str],
    item: &str,
) -> Result<Vec<CsvRow>, Invalid> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(file_error(format!(
            "The file is {}; the largest file Custodian imports is {}. Split the register into smaller files",
            size(bytes.len()),
            size(MAX_IMPORT_BYTES)
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(file_error(format!(
            "The file is empty: it needs a header row and a row for each {item}"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(file_error(format!("The file is not a CSV file: {e}"))),
        None => return Err(file_error("The file has no header row")),
    };
    let names = header_columns(&header, columns, required)?;

    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let row = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(CsvRow {
                    row,
                    cells: HashMap::new(),
                    unreadable: true,
                    errors: vec![RowError {
                        row,
                        column: String::new(),
                        message: format!("This row cannot be read as CSV: {e}"),
                    }],
                });
                continue;
            }
        };
        if record
            .iter()
            .all(|c| c.iter().all(|b| b.is_ascii_whitespace()))
        {
            continue;
        }
        if rows.len() >= MAX_IMPORT_ROWS {
            return Err(file_error(format!(
                "The file has more than {MAX_IMPORT_ROWS} rows; split it into smaller files"
            )));
        }
        rows.push(csv_row(row, &names, &record));
    }
    if rows.is_empty() {
        return Err(file_error(format!(
            "The file has a header row but no {item}s under it"
        )));
    }
    Ok(rows)
}
/// The header row's columns, normalised; refused unless every column is a register column,
/// once, and every required column is there.
fn header_columns(
    header: &csv::ByteRecord,
    columns: &[&str],
    required: &[&str],
) -> Result<Vec<String>, Invalid> {
    let mut raw = Vec::with_capacity(header.len());
    for h in header.iter() {
        let Ok(h) = std::str::from_utf8(h) else {
            return Err(file_error(
                "The file is not UTF-8 text. In Excel, save it as \u{201c}CSV UTF-8 (Comma delimited)\u{201d}",
            ));
        };
        raw.push(h.trim());
    }
    // Trailing empty header cells (a spreadsheet's stray commas) are harmless.
    while raw.last().is_some_and(|h| h.is_empty()) {
        raw.pop();
    }
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    let mut problems = Vec::new();
    for (i, h) in raw.iter().enumerate() {
        let name = normalise_header(h);
        if name.is_empty() {
            problems.push(format!("column {} has no name", i + 1));
        } else if !columns.contains(&name.as_str()) {
            problems.push(format!(
                "column {} \u{201c}{h}\u{201d} is not a register column",
                i + 1
            ));
        } else if names.contains(&name) {
            problems.push(format!("column \u{201c}{name}\u{201d} appears twice"));
        }
        names.push(name);
    }
    let missing: Vec<&str> = required
        .iter()
        .filter(|c| !names.iter().any(|h| h == *c))
        .copied()
        .collect();
    if !missing.is_empty() {
        problems.push(format!("the file has no {} column", missing.join(", ")));
    }
    if !problems.is_empty() {
        return Err(file_error(format!(
            "The header row is not the register's: {}. The columns Custodian reads are: {}",
            problems.join("; "),
            columns.join(", ")
        )));
    }
    Ok(names)
}

/// A row's cells by column, with a problem for each cell that is not UTF-8 and for cells
/// beyond the header's columns.
fn csv_row(row: usize, names: &[String], record: &csv::ByteRecord) -> CsvRow {
    let mut out = CsvRow {
        row,
        cells: HashMap::with_capacity(names.len()),
        errors: Vec::new(),
        unreadable: false,
    };
    let extra = record
        .iter()
        .skip(names.len())
        .any(|c| !c.iter().all(|b| b.is_ascii_whitespace()));
    if extra {
        out.fail(
            "",
            format!(
                "This row has {} cells but the header names {} columns",
                record.len(),
                names.len()
            ),
        );
    }
    for (col, raw) in names.iter().zip(record.iter()) {
        match std::str::from_utf8(raw) {
            Ok(s) => match crate::validation::text_problem(s, crate::validation::TEXT_MAX) {
                None => {
                    out.cells.insert(col.clone(), s.to_string());
                }
                Some(problem) => out.fail(col, format!("This cell {problem}")),
            },
            Err(_) => out.fail(
                col,
                "This cell is not UTF-8 text. In Excel, save the file as \u{201c}CSV UTF-8 (Comma delimited)\u{201d}",
            ),
        }
    }
    out
}

crate::status::status_enum!(
    /// An uploaded spreadsheet: checked and waiting for the uploader's choice, written, or
    /// discarded.
    ImportStatus {
        Pending => "pending",
        Imported => "imported",
        Discarded => "discarded",
    }
);
