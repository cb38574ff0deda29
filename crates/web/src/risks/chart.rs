//! The risk heat map: a likelihood × impact grid coloured by band, with the number of risks in
//! each cell, as SVG. Built from numbers and fixed labels only, so it needs no escaping.

use custodian_domain::risks::Matrix;

const CELL: u32 = 56;
const LEFT: u32 = 150;
const TOP: u32 = 16;
const BOTTOM: u32 = 96;

/// The heat map of `counts` (likelihood, impact, number of risks) on `m`. `title` names the
/// chart for assistive technology.
pub fn heat_map_svg(m: &Matrix, counts: &[(u8, u8, usize)], title: &str) -> String {
    let n = u32::from(m.size());
    let (w, h) = (LEFT + n * CELL + 8, TOP + n * CELL + BOTTOM);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\" class=\"heat-map\">",
        title.replace(['"', '<', '>', '&'], "")
    );
    for l in 1..=n {
        let y = TOP + (n - l) * CELL;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#0b0c0c\">{} {}</text>",
            LEFT - 8,
            y + CELL / 2 + 4,
            l,
            m.likelihood_label(l as u8)
        ));
        for i in 1..=n {
            let x = LEFT + (i - 1) * CELL;
            let band = m.band(m.score(l as u8, i as u8));
            let (fill, ink) = band.colours();
            let count = counts
                .iter()
                .filter(|(cl, ci, _)| u32::from(*cl) == l && u32::from(*ci) == i)
                .map(|(_, _, c)| c)
                .sum::<usize>();
            s.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{CELL}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"2\"/>"
            ));
            if count > 0 {
                s.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"bold\" fill=\"{ink}\">{count}</text>",
                    x + CELL / 2,
                    y + CELL / 2 + 6
                ));
            }
        }
    }
    for i in 1..=n {
        let x = LEFT + (i - 1) * CELL + CELL / 2;
        let y = TOP + n * CELL + 16;
        s.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#0b0c0c\">{i}</text>\
             <text x=\"{x}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\" fill=\"#0b0c0c\" transform=\"rotate(-35 {x} {})\">{}</text>",
            y + 16,
            y + 16,
            m.impact_label(i as u8)
        ));
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\" fill=\"#0b0c0c\">Impact</text>",
        LEFT + n * CELL / 2,
        h - 4
    ));
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use custodian_domain::risks::{MATRIX_4X4, MATRIX_5X5};

    #[test]
    fn every_cell_is_drawn_in_its_band_with_its_count() {
        let svg = heat_map_svg(&MATRIX_5X5, &[(5, 5, 2), (1, 1, 3)], "Residual risks");
        assert_eq!(svg.matches("<rect").count(), 25);
        assert!(svg.contains(">2</text>") && svg.contains(">3</text>"));
        assert!(svg.contains("Almost certain") && svg.contains("Catastrophic"));
        assert!(svg.contains("fill=\"#d4351c\""), "extreme cells are red");
        assert_eq!(
            heat_map_svg(&MATRIX_4X4, &[], "x").matches("<rect").count(),
            16
        );
    }
}
