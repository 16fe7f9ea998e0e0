//! Align: what reading a document against a template gives, cell by cell.
//! The reading itself is `solve`'s, for every layout; the tests here read
//! delimited layouts (HTML, Markdown, tab rows, Word) through it.

use super::value::Reading;
use crate::diagnostics::Warning;
use crate::template::{Col, Row, Table, Template};

/// One template cell as read from a document.
#[derive(Debug, Clone)]
pub struct Cell<'t> {
    pub table: &'t Table,
    pub row: &'t Row,
    pub col: &'t Col,
    /// The cell's text as printed, trimmed; `None` when the document lacks it.
    pub raw: Option<String>,
    pub reading: Reading,
    pub line: Option<u32>,
}

/// What reading a document gave.
#[derive(Debug)]
pub struct Alignment<'t> {
    pub template: &'t Template,
    pub cells: Vec<Cell<'t>>,
    /// Codes of the tables with at least one row found.
    pub tables_found: Vec<&'t str>,
    pub warnings: Vec<Warning>,
    /// Why each row was read as it was (`xxgk explain`).
    pub trace: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::WarningKind;
    use crate::parse::solve::solve_cells as align;
    use crate::parse::tokenize::tokenize;
    use crate::template::Catalog;

    fn catalog() -> &'static Catalog {
        crate::template::built_in()
    }

    /// (row, col) → (value, status) of one table.
    fn table<'a>(alignment: &'a Alignment, code: &str) -> Vec<(&'a str, &'a str, Option<f64>, &'static str)> {
        alignment
            .cells
            .iter()
            .filter(|c| c.table.code == code)
            .map(|c| (c.row.code.as_str(), c.col.code.as_str(), c.reading.value, c.reading.status.as_str()))
            .collect()
    }

    #[test]
    fn tab_rows_drop_label_fillers_on_either_side() {
        let text = "本年制发件数\n一、本年新收政府信息公开申请数量\t\t1\t2\t3\t4\t5\t6\t21\t\n二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        let new: Vec<Option<f64>> = table(&a, "requests").iter().filter(|c| c.0 == "new").map(|c| c.2).collect();
        let expected: Vec<Option<f64>> = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 21.0].into_iter().map(Some).collect();
        assert_eq!(new, expected);
    }

    #[test]
    fn blanks_at_both_ends_are_placed_by_the_column_header() {
        // Padding to a four-column grid after the values: the first value is blank.
        let text = "本年新制作数量\n上一年项目数量\n信息内容\t采购项目数量\t采购总金额\t\n政府集中采购\t\t35\t\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        let procurement: Vec<_> = table(&a, "proactive").into_iter().filter(|c| c.0 == "art20_9.procurement").collect();
        assert_eq!(
            procurement,
            [("art20_9.procurement", "projects", None, "blank"), ("art20_9.procurement", "amount", Some(35.0), "ok")]
        );
        // A label spanning two columns before the values: the last value is blank.
        let text = "本年制发件数\n\t\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n\
                    三、本年度办理结果\t（二）部分公开\t\t1\t0\t0\t0\t0\t\t\t\n";
        let a = align(&tokenize(text, false).tokens, catalog);
        let partial: Vec<_> =
            table(&a, "requests").into_iter().filter(|c| c.0 == "result.partial").map(|c| c.2).collect();
        assert_eq!(partial, [Some(1.0), Some(0.0), Some(0.0), Some(0.0), Some(0.0), None, None]);
    }

    #[test]
    fn group_labels_are_skipped_and_rows_found_in_order() {
        let text = "\t（三）不予公开\n\t1.属于国家秘密\n\t1\n\t0\n\t0\n\t0\n\t0\n\t0\n\t1\n\t\n\t2.其他法律行政法规禁止公开\n\t—\n\t\n\t0\n\t0\n\t0\n\t0\n\t0\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        let cells = table(&a, "requests");
        let secret: Vec<_> = cells.iter().filter(|c| c.0 == "result.withheld.state_secret").collect();
        assert_eq!(secret[0].2, Some(1.0));
        assert_eq!(secret[6].2, Some(1.0));
        let law: Vec<_> = cells.iter().filter(|c| c.0 == "result.withheld.prohibited_by_law").map(|c| c.3).collect();
        assert_eq!(law, ["dash", "blank", "ok", "ok", "ok", "ok", "ok"]);
        let absent = cells.iter().find(|c| c.0 == "new").unwrap();
        assert_eq!(absent.3, "missing");
        assert!(a.tables_found.contains(&"requests"));
    }

    #[test]
    fn undivided_other_row_stands_in_for_its_three_rows() {
        let text = "本年制发件数\n（六）其他处理\t\t4\t0\t0\t0\t0\t0\t4\n（七）总计\t\t4\t0\t0\t0\t0\t0\t4\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        assert_eq!(a.template.code, "gov2021");
        let rows: Vec<&str> = table(&a, "requests").iter().map(|c| c.0).collect();
        assert!(rows.contains(&"result.other"));
        assert!(!rows.contains(&"result.other.no_correction"));
        assert_eq!(rows.len(), 23 * 7);
    }

    #[test]
    fn divided_other_rows_leave_out_the_stand_in() {
        let text =
            "（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t1\t0\t0\t0\t0\t0\t1\n\
                    （七）总计\t\t1\t0\t0\t0\t0\t0\t1\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        let rows: Vec<&str> = table(&a, "requests").iter().map(|c| c.0).collect();
        assert!(!rows.contains(&"result.other"));
        assert_eq!(rows.len(), 25 * 7);
        let no_correction: Vec<_> =
            table(&a, "requests").into_iter().filter(|c| c.0 == "result.other.no_correction").map(|c| c.2).collect();
        assert_eq!(no_correction[0], Some(1.0));
    }

    #[test]
    fn unlabelled_appeals_skip_header_fillers() {
        let mut text = String::from("四、政府信息公开行政复议、行政诉讼情况\n行政复议 |\n总计 |\n|||||\n");
        for v in 1..=15 {
            text.push_str(&format!("{v} |\n"));
        }
        let catalog = catalog();
        let a = align(&tokenize(&text, false).tokens, catalog);
        let cells = table(&a, "appeals");
        assert_eq!(cells[0], ("review", "upheld", Some(1.0), "ok"));
        assert_eq!(cells[14], ("litigation_after_review", "total", Some(15.0), "ok"));
    }

    #[test]
    fn a_second_copy_with_other_numbers_is_a_warning() {
        let once = "本年制发件数\n规章\t1\t0\t5\n行政规范性文件\t2\t0\t7\n";
        let catalog = catalog();
        let a = align(&tokenize(&format!("{once}{once}"), false).tokens, catalog);
        assert!(!a.warnings.iter().any(|w| w.kind == WarningKind::TableRepeated), "{:?}", a.warnings);
        let text = format!("{once}{}", once.replace("\t5", "\t6"));
        let a = align(&tokenize(&text, false).tokens, catalog);
        assert!(
            a.warnings.iter().any(|w| *w
                == Warning::new(
                    WarningKind::TableRepeated,
                    "line 5: table proactive printed again with other numbers; the first copy, at line 2, was read"
                )),
            "{:?}",
            a.warnings
        );
        assert_eq!(table(&a, "proactive")[2].2, Some(5.0));
    }

    #[test]
    fn a_block_printed_before_its_table_is_read_where_it_is() {
        // A PDF-to-Markdown converter put the （五） block before the table.
        let text =
            "第二十条第（五）项\n行政许可 97\n## 表二\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n\
                    |---|---|---|---|\n| 规章 | 0 | 0 | 0 |\n| 规范性文件 | 13 | 0 | 55 |\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        let cells = table(&a, "proactive");
        assert!(cells.contains(&("art20_5.licensing", "decisions", Some(97.0), "ok")), "{cells:?}");
        let docs: Vec<_> = cells.iter().filter(|c| c.0 == "art20_1.normative_docs").map(|c| c.2).collect();
        assert_eq!(docs, [Some(13.0), Some(0.0), Some(55.0)]);
    }

    #[test]
    fn a_grid_row_without_its_label_is_inferred_between_its_neighbours() {
        let text = "本年制发件数\n（一）予以公开\t1\t0\t0\t0\t0\t0\t1\n\t2\t0\t0\t0\t0\t0\t2\n\
                    （三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        let partial: Vec<_> = table(&a, "requests").into_iter().filter(|c| c.0 == "result.partial").collect();
        assert_eq!(partial[0], ("result.partial", "natural_person", Some(2.0), "inferred"));
        assert_eq!(partial[6], ("result.partial", "total", Some(2.0), "inferred"));
        // Two rows between the same neighbours, one row of values: no reading.
        let text = text.replace("（三）不予公开\t1.属于国家秘密", "2.其他法律行政法规禁止公开");
        let a = align(&tokenize(&text, false).tokens, catalog);
        let cells = table(&a, "requests");
        assert!(cells
            .iter()
            .filter(|c| c.0 == "result.partial" || c.0 == "result.withheld.state_secret")
            .all(|c| c.3 == "missing"));
        assert!(a.warnings.iter().any(|w| w.kind == WarningKind::NoReadingFits), "{:?}", a.warnings);
    }

    #[test]
    fn a_lost_row_never_takes_the_values_of_a_label_that_names_no_row() {
        // 行政强制 is not printed; 行政确认 is no row of the template.
        let text = "本年制发件数\n行政处罚\t3\n行政确认\t7\n行政事业性收费\t0\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        let cells = table(&a, "proactive");
        assert!(cells.contains(&("art20_6.penalty", "decisions", Some(3.0), "ok")), "{cells:?}");
        assert!(cells.contains(&("art20_6.enforcement", "decisions", None, "missing")), "{cells:?}");
        // A subtotal row of a group is no row either.
        let text = "本年制发件数\n（三）不予公开\t7.属于行政执法案卷\t0\t0\t0\t0\t0\t0\t0\n\
                    （四）无法提供\t\t3\t0\t0\t0\t0\t0\t3\n\
                    （四）无法提供\t1.本机关不掌握相关政府信息\t3\t0\t0\t0\t0\t0\t3\n";
        let a = align(&tokenize(text, false).tokens, catalog);
        let query: Vec<_> =
            table(&a, "requests").into_iter().filter(|c| c.0 == "result.withheld.query_matter").map(|c| c.3).collect();
        assert_eq!(query, ["missing"; 7]);
    }

    #[test]
    fn a_row_named_in_another_section_is_not_read_into_the_table() {
        // 行政许可 1200 in the overview's own table, before 二's heading.
        let text = "一、总体情况\n行政许可\t1200\n二、主动公开政府信息情况\n\
                    信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n行政规范性文件\t2\t0\t7\n\
                    行政处罚\t3\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        let cells = table(&a, "proactive");
        assert!(cells.contains(&("art20_5.licensing", "decisions", None, "missing")), "{cells:?}");
        assert!(cells.contains(&("art20_6.penalty", "decisions", Some(3.0), "ok")), "{cells:?}");
        // Within the section, before its table, the same row is read where it is.
        let text = text.replace(
            "一、总体情况\n行政许可\t1200\n二、主动公开政府信息情况\n",
            "二、主动公开政府信息情况\n行政许可\t1200\n",
        );
        let a = align(&tokenize(&text, false).tokens, catalog);
        assert!(table(&a, "proactive").contains(&("art20_5.licensing", "decisions", Some(1200.0), "ok")));
    }

    #[test]
    fn a_second_copy_differing_only_in_grid_padding_is_no_warning() {
        let text = "本年制发件数\n规章\t1\t0\t5\n行政规范性文件\t2\t0\t7\n规章\t1\t0\t5\t\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        assert!(!a.warnings.iter().any(|w| w.kind == WarningKind::TableRepeated), "{:?}", a.warnings);
    }

    #[test]
    fn the_2019_format_is_detected_from_its_headers() {
        let text = "本年新制作数量\n上一年项目数量\n规章\t0\t0\t0\n政府集中采购\t6\t251000元\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, catalog);
        assert_eq!(a.template.code, "gov2019");
        let procurement: Vec<_> = a.cells.iter().filter(|c| c.row.code == "art20_9.procurement").collect();
        assert_eq!(procurement[1].reading.value, Some(251000.0));
        assert_eq!(procurement[1].reading.unit, Some("元"));
    }
}
