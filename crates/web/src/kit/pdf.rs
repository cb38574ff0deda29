//! A small A4 document writer for printable reports: headings, wrapped paragraphs, tables that
//! break across pages, and the risk heat map, in the PDF standard fonts (nothing embedded, no
//! external program). `pdf-writer` writes the objects; the layout is here.

use custodian_domain::risks::Matrix;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Helvetica's advance widths (per 1000 units of the font size) for ASCII 32 to 126.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// The text in the fonts' WinAnsi encoding; characters it lacks become `?`.
fn encode(s: &str) -> Vec<u8> {
    s.chars().map(encode_char).collect()
}

fn encode_char(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201c}' => 0x93,
        '\u{201d}' => 0x94,
        '\u{2022}' => 0x95,
        '\u{2013}' => 0x96,
        '\u{2014}' => 0x97,
        '\u{20ac}' => 0x80,
        '\n' | '\t' => b' ',
        _ => b'?',
    }
}

/// One character's advance width in points.
fn char_width(c: char, size: f32, bold: bool) -> f32 {
    let units = match encode_char(c) {
        b @ 32..=126 => u32::from(HELVETICA[usize::from(b - 32)]),
        _ => 556,
    };
    // Helvetica-Bold is a little wider; measuring it 6% wider keeps lines inside the column.
    units as f32 * size / 1000.0 * if bold { 1.06 } else { 1.0 }
}

fn width(s: &str, size: f32, bold: bool) -> f32 {
    s.chars().map(|c| char_width(c, size, bold)).sum()
}

/// Splits `text` into lines no wider than `max` points. Each character is measured once, so the
/// time grows with the text's length, whatever its words (a word wider than the column is cut).
fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let space = char_width(' ', size, bold);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_width = 0.0;
        for word in para.split_whitespace() {
            let word_width = width(word, size, bold);
            if !line.is_empty() && line_width + space + word_width <= max {
                line.push(' ');
                line.push_str(word);
                line_width += space + word_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            for c in word.chars() {
                let w = char_width(c, size, bold);
                if !line.is_empty() && line_width + w > max {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(c);
                line_width += w;
            }
        }
        lines.push(line);
    }
    lines
}

/// An A4 document being laid out from the top of the first page.
pub struct Doc {
    pages: Vec<Content>,
    page: Content,
    y: f32,
    title: String,
    footer: String,
}

impl Doc {
    pub fn new(title: &str, footer: &str) -> Doc {
        Doc {
            pages: Vec::new(),
            page: Content::new(),
            y: HEIGHT - MARGIN,
            title: title.to_string(),
            footer: footer.to_string(),
        }
    }

    fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(done);
        self.y = HEIGHT - MARGIN;
    }

    /// Makes room for `h` points, starting a new page if needed.
    fn room(&mut self, h: f32) {
        if self.y - h < MARGIN + 20.0 {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, y: f32, s: &str, size: f32, bold: bool) {
        let bytes = encode(s);
        self.page
            .begin_text()
            .set_font(if bold { BOLD } else { REGULAR }, size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    fn fill(&mut self, rgb: (f32, f32, f32)) {
        self.page.set_fill_rgb(rgb.0, rgb.1, rgb.2);
    }

    pub fn heading(&mut self, s: &str, size: f32) {
        // Keep a heading with at least the first lines of what follows it.
        self.room(size * 2.2 + 40.0);
        self.y -= size * 1.4;
        self.fill((0.0, 0.0, 0.0));
        for line in wrap(s, size, true, WIDTH - 2.0 * MARGIN) {
            self.text_at(MARGIN, self.y, &line, size, true);
            self.y -= size * 1.2;
        }
        self.y -= size * 0.2;
    }

    pub fn para(&mut self, s: &str, size: f32) {
        self.fill((0.0, 0.0, 0.0));
        for line in wrap(s, size, false, WIDTH - 2.0 * MARGIN) {
            self.room(size * 1.3);
            self.text_at(MARGIN, self.y - size, &line, size, false);
            self.y -= size * 1.3;
        }
        self.y -= size * 0.5;
    }

    /// A table of `items`, a row each as `row` writes it; when there are none and `none` is not
    /// empty, that sentence in its place.
    pub fn table_of<T>(
        &mut self,
        headers: &[&str],
        widths: &[f32],
        items: &[T],
        none: &str,
        row: impl Fn(&T) -> Vec<String>,
    ) {
        if items.is_empty() && !none.is_empty() {
            self.para(none, 9.0);
        } else {
            let rows: Vec<Vec<String>> = items.iter().map(row).collect();
            self.table(headers, widths, &rows);
        }
    }

    /// A table whose columns take `widths` (fractions of the page's text width); the header row
    /// repeats on each new page.
    pub fn table(&mut self, headers: &[&str], widths: &[f32], rows: &[Vec<String>]) {
        const SIZE: f32 = 8.5;
        const LINE: f32 = SIZE * 1.25;
        let total = WIDTH - 2.0 * MARGIN;
        let cols: Vec<f32> = widths.iter().map(|w| w * total).collect();
        let lay_out = |cells: &[String], bold: bool| -> (Vec<Vec<String>>, f32) {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&cols)
                .map(|(c, w)| wrap(c, SIZE, bold, w - 6.0))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            (wrapped, lines as f32 * LINE + 4.0)
        };
        let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let (header_cells, header_h) = lay_out(&header, true);
        let fits = |doc: &Doc, h: f32| doc.y - h >= MARGIN + 20.0;
        if !fits(self, header_h + 3.0 * LINE) {
            self.new_page();
        }
        self.draw_row(&header_cells, &cols, header_h, true);
        for row in rows {
            let (cells, h) = lay_out(row, false);
            if !fits(self, h) {
                self.new_page();
                self.draw_row(&header_cells, &cols, header_h, true);
            }
            self.draw_row(&cells, &cols, h, false);
        }
        self.y -= 8.0;
    }

    fn draw_row(&mut self, cells: &[Vec<String>], cols: &[f32], h: f32, bold: bool) {
        const SIZE: f32 = 8.5;
        const LINE: f32 = SIZE * 1.25;
        let mut x = MARGIN;
        self.fill((0.0, 0.0, 0.0));
        for (cell, w) in cells.iter().zip(cols) {
            for (i, l) in cell.iter().enumerate() {
                self.text_at(
                    x + 2.0,
                    self.y - SIZE - 2.0 - i as f32 * LINE,
                    l,
                    SIZE,
                    bold,
                );
            }
            x += w;
        }
        self.y -= h;
        self.page
            .set_stroke_rgb(0.7, 0.7, 0.7)
            .set_line_width(0.5)
            .move_to(MARGIN, self.y)
            .line_to(WIDTH - MARGIN, self.y)
            .stroke();
    }

    /// The heat map: the matrix's cells coloured by band with their counts, and the labels.
    pub fn heat_map(&mut self, m: &Matrix, cells: &[(u8, u8, usize)], caption: &str) {
        let n = m.size();
        let cell = 44.0;
        let left = MARGIN + 110.0;
        let h = f32::from(n) * cell + 70.0;
        self.room(h + 20.0);
        self.fill((0.0, 0.0, 0.0));
        self.text_at(MARGIN, self.y - 10.0, caption, 9.0, true);
        let top = self.y - 18.0;
        for l in 1..=n {
            let y = top - f32::from(n - l + 1) * cell;
            self.fill((0.0, 0.0, 0.0));
            self.text_at(
                MARGIN,
                y + cell / 2.0 - 3.0,
                &format!("{l} {}", m.likelihood_label(l)),
                8.0,
                false,
            );
            for i in 1..=n {
                let x = left + f32::from(i - 1) * cell;
                let (bg, ink) = m.band(m.score(l, i)).colours();
                self.fill(rgb(bg));
                self.page.rect(x, y, cell - 2.0, cell - 2.0).fill_nonzero();
                let count: usize = cells
                    .iter()
                    .filter(|(cl, ci, _)| *cl == l && *ci == i)
                    .map(|(_, _, c)| c)
                    .sum();
                if count > 0 {
                    self.fill(rgb(ink));
                    let label = count.to_string();
                    let w = width(&label, 12.0, true);
                    self.text_at(
                        x + (cell - 2.0 - w) / 2.0,
                        y + cell / 2.0 - 5.0,
                        &label,
                        12.0,
                        true,
                    );
                }
            }
        }
        self.fill((0.0, 0.0, 0.0));
        let base = top - f32::from(n) * cell - 12.0;
        for i in 1..=n {
            let x = left + f32::from(i - 1) * cell;
            let number = i.to_string();
            let label = m.impact_label(i);
            let centre = |w: f32| x + (cell - 2.0 - w) / 2.0;
            self.text_at(
                centre(width(&number, 8.0, false)),
                base,
                &number,
                8.0,
                false,
            );
            self.text_at(
                centre(width(label, 6.0, false)),
                base - 9.0,
                label,
                6.0,
                false,
            );
        }
        self.text_at(left, base - 22.0, "Impact", 8.0, true);
        self.y = base - 32.0;
    }

    /// The finished PDF.
    pub fn finish(mut self) -> Vec<u8> {
        self.new_page();
        let count = self.pages.len();
        let mut pdf = Pdf::new();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let info = Ref::new(5);
        let first = 6;
        let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(first + 2 * i as i32)).collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().copied())
            .count(count as i32);
        pdf.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.document_info(info)
            .title(TextStr(&self.title))
            .producer(TextStr("Custodian"));
        for (i, mut content) in self.pages.into_iter().enumerate() {
            let footer = encode(&format!(
                "{} \u{2013} page {} of {count}",
                self.footer,
                i + 1
            ));
            content
                .set_fill_rgb(0.3, 0.3, 0.3)
                .begin_text()
                .set_font(REGULAR, 7.5)
                .next_line(MARGIN, MARGIN - 20.0)
                .show(Str(&footer))
                .end_text();
            let id = page_ids[i];
            let content_id = Ref::new(id.get() + 1);
            let mut page = pdf.page(id);
            page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
            page.parent(tree);
            page.contents(content_id);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(REGULAR, regular);
            fonts.pair(BOLD, bold);
            fonts.finish();
            resources.finish();
            page.finish();
            pdf.stream(content_id, &content.finish());
        }
        pdf.set_file_id((b"custodian".to_vec(), b"custodian".to_vec()));
        pdf.finish()
    }
}

fn rgb(hex: &str) -> (f32, f32, f32) {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    (
        ((v >> 16) & 0xff) as f32 / 255.0,
        ((v >> 8) & 0xff) as f32 / 255.0,
        (v & 0xff) as f32 / 255.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_inside_the_column_and_unknown_characters_are_marked() {
        let lines = wrap(&"word ".repeat(200), 10.0, false, 200.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| width(l, 10.0, false) <= 200.0));
        assert_eq!(
            encode("Q3 – £5 “ok” 漢"),
            b"Q3 \x96 \xa35 \x93ok\x94 ?".to_vec()
        );
        let long = wrap(&"x".repeat(300), 10.0, false, 100.0);
        assert!(
            long.iter().all(|l| width(l, 10.0, false) <= 100.0),
            "{long:?}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Fuzzing the layout: any text wraps without panicking, every line fits the column (or
        /// is one character wider than it), and no visible character is lost or added.
        #[test]
        fn any_text_wraps_inside_the_column_and_keeps_every_character(
            text in "\\PC{0,400}|[a-zA-Z\u{2014}\u{20ac} \n\t]{0,400}",
            max in 5.0f32..400.0,
            bold in proptest::bool::ANY,
        ) {
            let lines = wrap(&text, 9.0, bold, max);
            for l in &lines {
                proptest::prop_assert!(width(l, 9.0, bold) <= max || l.chars().count() <= 1, "{:?}", l);
            }
            let visible = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            proptest::prop_assert_eq!(visible(&lines.concat()), visible(&text));
            let mut d = Doc::new(&text, &text);
            d.heading(&text, 12.0);
            d.para(&text, 9.0);
            d.table(&["A", "B"], &[0.5, 0.5], &[vec![text.clone(), text.clone()]]);
            proptest::prop_assert!(d.finish().starts_with(b"%PDF-"));
        }
    }

    #[test]
    fn a_worst_case_document_renders_in_well_under_two_seconds() {
        // One unbroken word in a paragraph and in every table cell: the layout must not grow
        // faster than the text (a 20,000-character word once took a minute).
        let word = "W".repeat(200_000);
        let started = std::time::Instant::now();
        let mut d = Doc::new(&word, &word);
        d.heading(&word, 16.0);
        d.para(&word, 9.0);
        let rows = vec![vec![word.clone(), word.clone(), word.clone()]; 3];
        d.table(&["A", "B", "C"], &[0.3, 0.3, 0.4], &rows);
        let pdf = d.finish();
        assert!(pdf.starts_with(b"%PDF-"));
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(2), "took {took:?}");
    }

    #[test]
    fn a_document_has_a_page_per_overflow_and_ends_as_a_pdf() {
        let mut d = Doc::new("Test", "Footer");
        d.heading("Title", 16.0);
        let rows: Vec<Vec<String>> = (0..200)
            .map(|i| vec![format!("row {i}"), "x".into()])
            .collect();
        d.table(&["A", "B"], &[0.5, 0.5], &rows);
        let pdf = d.finish();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        let count: usize = text
            .split("/Count ")
            .nth(1)
            .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(count >= 3, "200 rows take several pages: {count}");
        assert!(text.contains("(row 199) Tj"));
    }
}
