//! The few ARM template expressions a workflow inside a template uses for plain values:
//! `[parameters('p')]` (its default value), `[variables('v')]`, string literals and
//! `[concat(…)]` of them. Anything else (`resourceId()`, `subscription()`, …) is known only
//! when the template is deployed, so it is left as written.

use serde_json::{Map, Value};

/// What a template's expressions can read: its parameters' default values and its
/// variables.
#[derive(Debug, Clone, Default)]
pub struct ArmContext {
    /// The template's `parameters` (`{"name": {"type", "defaultValue"}}`).
    pub parameters: Map<String, Value>,
    /// The template's `variables`.
    pub variables: Map<String, Value>,
}

impl ArmContext {
    /// The context of a top-level template.
    pub fn of_template(template: &Value) -> Self {
        let section = |key: &str| {
            template
                .get(key)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        Self {
            parameters: section("parameters"),
            variables: section("variables"),
        }
    }

    /// The context of the template a deployment resource nests: with the default `outer`
    /// scope, its expressions read the parent's; with `inner`, its own, the parameters'
    /// values being those the deployment passes (evaluated in the parent).
    pub fn nested(&self, deployment: &Value, template: &Value) -> Self {
        let inner = deployment
            .pointer("/properties/expressionEvaluationOptions/scope")
            .and_then(Value::as_str)
            .is_some_and(|scope| scope.eq_ignore_ascii_case("inner"));
        if !inner {
            return self.clone();
        }
        let mut context = Self::of_template(template);
        if let Some(passed) = deployment
            .pointer("/properties/parameters")
            .and_then(Value::as_object)
        {
            for (name, given) in passed {
                let Some(value) = given.get("value") else {
                    continue;
                };
                let value = self.resolve(value);
                let declared = context
                    .parameters
                    .entry(name.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(declared) = declared {
                    declared.insert("defaultValue".to_owned(), value);
                }
            }
        }
        context
    }

    /// The value of `text` when it is an ARM expression this module evaluates (`None` for
    /// any other string, `[[` escapes included).
    pub fn evaluate(&self, text: &str) -> Option<Value> {
        let inner = text.strip_prefix('[')?.strip_suffix(']')?;
        if inner.starts_with('[') {
            return None;
        }
        let mut parser = Parser {
            text: inner,
            at: 0,
            context: self,
            depth: 0,
        };
        let value = parser.value()?;
        parser.skip_spaces();
        (parser.at == inner.len()).then_some(value)
    }

    /// `value` with every whole-string expression this module evaluates replaced by its
    /// value.
    pub fn resolve(&self, value: &Value) -> Value {
        match value {
            Value::String(text) => self.evaluate(text).unwrap_or_else(|| value.clone()),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(v)).collect()),
            // A property name may be an expression too (a connector's `metadata` keyed by
            // `[base64(parameters('folder'))]`).
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let key = match self.evaluate(k) {
                            Some(Value::String(key)) => key,
                            _ => k.clone(),
                        };
                        (key, self.resolve(v))
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// How deep `concat(variables(…))` chains may go (variables naming variables).
const MAX_DEPTH: usize = 16;

struct Parser<'a, 'c> {
    text: &'a str,
    at: usize,
    context: &'c ArmContext,
    depth: usize,
}

impl Parser<'_, '_> {
    fn skip_spaces(&mut self) {
        while self.text[self.at..].starts_with(' ') {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: char) -> Option<()> {
        self.skip_spaces();
        self.text[self.at..].starts_with(token).then(|| {
            self.at += token.len_utf8();
        })
    }

    fn value(&mut self) -> Option<Value> {
        self.skip_spaces();
        if self.text[self.at..].starts_with('\'') {
            return self.string().map(Value::String);
        }
        let name_len = self.text[self.at..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(self.text.len() - self.at);
        let name = self.text[self.at..self.at + name_len].to_ascii_lowercase();
        self.at += name_len;
        self.eat('(')?;
        let mut args = Vec::new();
        if self.eat(')').is_none() {
            loop {
                args.push(self.value()?);
                if self.eat(')').is_some() {
                    break;
                }
                self.eat(',')?;
            }
        }
        match (name.as_str(), args.as_slice()) {
            ("parameters", [Value::String(p)]) => {
                let declared = lookup(&self.context.parameters, p)?;
                declared.get("defaultValue").cloned()
            }
            ("variables", [Value::String(v)]) => {
                let value = lookup(&self.context.variables, v)?;
                self.nested(value)
            }
            ("concat", parts) if parts.iter().all(Value::is_string) => Some(Value::String(
                parts.iter().filter_map(Value::as_str).collect(),
            )),
            ("tolower", [Value::String(text)]) => Some(Value::String(text.to_lowercase())),
            ("toupper", [Value::String(text)]) => Some(Value::String(text.to_uppercase())),
            ("base64", [Value::String(text)]) => {
                use base64::Engine as _;
                Some(Value::String(
                    base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
                ))
            }
            ("string", [Value::String(text)]) => Some(Value::String(text.clone())),
            ("string", [Value::Number(n)]) => Some(Value::String(n.to_string())),
            ("format", [Value::String(pattern), args @ ..]) => format(pattern, args),
            _ => None,
        }
    }

    /// A variable's value: itself an expression is evaluated, within a bound; `[[` is an
    /// escaped `[`.
    fn nested(&self, value: &Value) -> Option<Value> {
        match value {
            Value::String(text) if text.starts_with("[[") => {
                Some(Value::String(text[1..].to_owned()))
            }
            Value::String(text) if text.starts_with('[') && !text.starts_with("[[") => {
                if self.depth >= MAX_DEPTH {
                    return None;
                }
                let inner = text.strip_prefix('[')?.strip_suffix(']')?;
                let mut parser = Parser {
                    text: inner,
                    at: 0,
                    context: self.context,
                    depth: self.depth + 1,
                };
                let value = parser.value()?;
                parser.skip_spaces();
                (parser.at == inner.len()).then_some(value)
            }
            other => Some(other.clone()),
        }
    }

    /// `'it''s'` → `it's`.
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            let quote = rest.find('\'')?;
            out.push_str(&rest[..quote]);
            self.at += quote + 1;
            if self.text[self.at..].starts_with('\'') {
                out.push('\'');
                self.at += 1;
            } else {
                return Some(out);
            }
        }
    }
}

/// ARM's `format()`: `{0}`, `{1}`, … replaced by the arguments (strings and numbers), `{{`
/// and `}}` for braces; anything else (a format specifier, a missing argument) is left to the
/// deployment (`None`).
fn format(pattern: &str, args: &[Value]) -> Option<Value> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
            out.push_str(&tail[..1]);
            rest = after;
            continue;
        }
        let close = tail.strip_prefix('{')?.find('}')?;
        let index: usize = tail[1..=close].parse().ok()?;
        match args.get(index)? {
            Value::String(text) => out.push_str(text),
            Value::Number(n) => out.push_str(&n.to_string()),
            _ => return None,
        }
        rest = &tail[close + 2..];
    }
    out.push_str(rest);
    Some(Value::String(out))
}

/// ARM names are case-insensitive.
fn lookup<'m>(map: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parameters_variables_literals_and_concat_are_evaluated_and_the_rest_kept() {
        let parameters = json!({"logicAppName": {"type": "string", "defaultValue": "orders"},
            "noDefault": {"type": "string"}});
        let variables = json!({"type": "Recurrence", "interval": 3,
            "path": "[concat('/datasets/default/procedures/', variables('proc'))]",
            "proc": "[[dbo].[MyProc]", "loop": "[variables('loop')]"});
        let context =
            ArmContext::of_template(&json!({"parameters": parameters, "variables": variables}));
        let eval = |text: &str| context.evaluate(text);
        assert_eq!(eval("[parameters('logicAppName')]"), Some(json!("orders")));
        assert_eq!(eval("[variables('TYPE')]"), Some(json!("Recurrence")));
        assert_eq!(eval("[variables('interval')]"), Some(json!(3)));
        assert_eq!(
            eval("[concat('it''s ', parameters('logicAppName'), '-', 'x')]"),
            Some(json!("it's orders-x"))
        );
        // A variable that is an escaped `[[` string is that text, unescaped.
        assert_eq!(
            eval("[variables('path')]"),
            Some(json!("/datasets/default/procedures/[dbo].[MyProc]"))
        );
        for kept in [
            "[parameters('noDefault')]",
            "[parameters('missing')]",
            "[resourceId('Microsoft.Web/connections', 'sql')]",
            "[concat('a', resourceGroup().location)]",
            "[variables('loop')]",
            "[[escaped]",
            "plain",
            "[concat('a', 'b')] trailing",
            "[concat('unterminated)]",
        ] {
            assert_eq!(eval(kept), None, "{kept}");
        }
        assert_eq!(
            context.resolve(&json!({"a": ["[variables('type')]", "@{x}"], "b": 1})),
            json!({"a": ["Recurrence", "@{x}"], "b": 1})
        );

        // A nested template: the parent's context by default, its own (with the values
        // passed) with the `inner` scope.
        let template =
            json!({"parameters": {"jobName": {"type": "string"}}, "variables": {"type": "Http"}});
        let outer = json!({"properties": {"template": template}});
        assert_eq!(
            context
                .nested(&outer, &template)
                .evaluate("[variables('type')]"),
            Some(json!("Recurrence"))
        );
        let inner = json!({"properties": {"expressionEvaluationOptions": {"scope": "inner"},
            "parameters": {"jobName": {"value": "[concat(parameters('logicAppName'), '-job')]"}},
            "template": template}});
        let nested = context.nested(&inner, &template);
        assert_eq!(nested.evaluate("[variables('type')]"), Some(json!("Http")));
        assert_eq!(
            nested.evaluate("[parameters('jobName')]"),
            Some(json!("orders-job"))
        );
    }

    #[test]
    fn case_base64_string_and_format_are_evaluated() {
        let context = ArmContext::of_template(&json!({
            "parameters": {"folder": {"type": "string", "defaultValue": "/"},
                           "app": {"type": "string", "defaultValue": "Orders"}}}));
        let cases = [
            ("[base64(parameters('folder'))]", json!("Lw==")),
            ("[toLower(parameters('app'))]", json!("orders")),
            ("[toUpper('a')]", json!("A")),
            (
                "[format('{0}-{1}{{x}}', parameters('app'), 'sync')]",
                json!("Orders-sync{x}"),
            ),
            (
                "[format('{0}', base64(parameters('folder')))]",
                json!("Lw=="),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(context.evaluate(text), Some(expected), "{text}");
        }
        // A format specifier or a missing argument is left to the deployment.
        assert_eq!(context.evaluate("[format('{0:N2}', 'a')]"), None);
        assert_eq!(context.evaluate("[format('{1}', 'a')]"), None);
    }
}
