//! `Table` ("Create CSV table", "Create HTML table"): the items of `from` as rows, each
//! property a column (in the order the items first name them), or the columns given in
//! `columns` — a `header` and a `value` read for each item (`item()` is the row).

use serde_json::{Value, json};

use super::data::fail;
use super::engine::{Ctx, Done};
use super::state::LoopFrame;
use crate::connector::records::{cell_text, columns_of};
use crate::flow::expr::evaluate_value;

/// Runs the `Table` action `name` from its inputs as written.
pub fn run_table(ctx: &mut Ctx, name: &str, raw: &Value) -> Done {
    let evaluate = |field: &str, ctx: &Ctx| {
        evaluate_value(raw.get(field).unwrap_or(&Value::Null), &ctx.state)
            .map_err(|e| format!("inputs.{field}: {e}"))
    };
    let (from, format) = match (evaluate("from", ctx), evaluate("format", ctx)) {
        (Ok(from), Ok(format)) => (from, format),
        (Err(e), _) | (_, Err(e)) => return fail(Value::Null, name, e),
    };
    let mut inputs = json!({"from": from, "format": format});
    let Some(rows) = from.as_array() else {
        return fail(inputs, name, "inputs.from: expected an array");
    };
    let html = format
        .as_str()
        .is_some_and(|f| f.eq_ignore_ascii_case("html"));
    let (headers, cells) = match raw.get("columns") {
        None | Some(Value::Null) => {
            let columns = columns_of(rows);
            let cells = rows
                .iter()
                .map(|row| {
                    columns
                        .iter()
                        .map(|c| row.get(c).map(cell_text).unwrap_or_default())
                        .collect()
                })
                .collect();
            (columns, cells)
        }
        Some(Value::Array(columns)) => {
            inputs["columns"] = Value::Array(columns.clone());
            match custom_columns(ctx, name, columns, rows) {
                Ok(table) => table,
                Err(message) => return fail(inputs, name, message),
            }
        }
        Some(_) => {
            return fail(
                inputs,
                name,
                "inputs.columns: expected an array of {\"header\", \"value\"}",
            );
        }
    };
    let text = if html {
        html_table(&headers, &cells)
    } else {
        match csv_table(&headers, &cells) {
            Ok(text) => text,
            Err(e) => return fail(inputs, name, e),
        }
    };
    Done::ok(inputs, json!({"body": text}))
}

type Table = (Vec<String>, Vec<Vec<String>>);

/// The headers and, for each row, each column's `value` read with the row as `item()`.
fn custom_columns(
    ctx: &mut Ctx,
    name: &str,
    columns: &[Value],
    rows: &[Value],
) -> Result<Table, String> {
    let mut headers = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let header = evaluate_value(column.get("header").unwrap_or(&Value::Null), &ctx.state)
            .map_err(|e| format!("inputs.columns[{i}].header: {e}"))?;
        headers.push(cell_text(&header));
    }
    let mut cells = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        ctx.state.loops.push(LoopFrame {
            name: name.to_owned(),
            item: row.clone(),
            index,
        });
        let line: Result<Vec<String>, String> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                evaluate_value(column.get("value").unwrap_or(&Value::Null), &ctx.state)
                    .map(|value| cell_text(&value))
                    .map_err(|e| format!("inputs.columns[{i}].value (row {index}): {e}"))
            })
            .collect();
        ctx.state.loops.pop();
        cells.push(line?);
    }
    Ok((headers, cells))
}

fn csv_table(headers: &[String], cells: &[Vec<String>]) -> Result<String, csv::Error> {
    let mut writer = crate::connector::records::csv_writer(Vec::new());
    writer.write_record(headers)?;
    for row in cells {
        writer.write_record(row)?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn html_table(headers: &[String], cells: &[Vec<String>]) -> String {
    // As .NET's HtmlEncode: the quotes too (flows built in the cloud undo `&#39;` and
    // `&quot;` in a table's HTML).
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    let mut out = String::from("<table><thead><tr>");
    for header in headers {
        out.push_str(&format!("<th>{}</th>", escape(header)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in cells {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{}</td>", escape(cell)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(inputs: Value) -> Done {
        let mut ctx = Ctx::default();
        run_table(&mut ctx, "Table", &inputs)
    }

    #[test]
    fn columns_read_each_row_as_item() {
        let rows =
            json!([{"ID": 0, "Product_Name": "Apples"}, {"ID": 1, "Product_Name": "Oranges"}]);
        let html = table(json!({"format": "HTML", "from": rows,
            "columns": [{"header": "Stock_ID", "value": "@item().ID"},
                        {"header": "Description", "value": "@concat('Organic ', item().Product_Name)"}]}));
        assert_eq!(
            html.outputs["body"],
            "<table><thead><tr><th>Stock_ID</th><th>Description</th></tr></thead><tbody><tr><td>0</td><td>Organic Apples</td></tr><tr><td>1</td><td>Organic Oranges</td></tr></tbody></table>"
        );
        let quoted = table(json!({"format": "HTML", "from": [{"Name": "O'Brien \"Jr\" <b>&"}]}));
        assert_eq!(
            quoted.outputs["body"],
            "<table><thead><tr><th>Name</th></tr></thead><tbody><tr><td>O&#39;Brien &quot;Jr&quot; &lt;b&gt;&amp;</td></tr></tbody></table>"
        );
        let csv = table(json!({"format": "CSV", "from": rows,
            "columns": [{"header": "Name, in full", "value": "@item()?['Product_Name']"}]}));
        assert_eq!(
            csv.outputs["body"],
            "\"Name, in full\"\r\nApples\r\nOranges\r\n"
        );
    }

    #[test]
    fn without_columns_each_property_is_a_column_and_a_bad_column_names_its_row() {
        let rows = json!([{"a": 1, "b": "x"}, {"b": "y", "c": true}]);
        let csv = table(json!({"format": "CSV", "from": rows}));
        assert_eq!(csv.outputs["body"], "a,b,c\r\n1,x,\r\n,y,true\r\n");
        let failed = table(json!({"format": "CSV", "from": rows,
            "columns": [{"header": "A", "value": "@item().a.b"}]}));
        assert_eq!(failed.status, super::super::Status::Failed);
        let message = &failed.error.as_ref().unwrap().message;
        assert!(
            message.contains("inputs.columns[0].value (row 0)"),
            "{message}"
        );
    }
}
