using System.Globalization;
using System.Text.Json;

namespace Portal.Core.Rules;

/// <summary>A rule's conditions that cannot be read, with where (a JSON path such as <c>root.children[2].op</c>).</summary>
public sealed class ConditionFormatException(string path, string message) : Exception($"{path}: {message}")
{
    public string Path { get; } = path;
}

/// <summary>
/// The stored form of a rule's condition tree (<c>rule_table.conditions</c>), version 1:
/// <code>
/// {"version": 1, "root": {"type": "group", "id": "g1", "not": false, "logic": "and", "children": [
///   {"type": "attribute", "id": "c1", "field": "city_tier", "op": "in", "values": ["1", "2"]},
///   {"type": "aggregate", "id": "c2", "function": "sum", "source": "both", "categories": ["Travel"], "merchants": [],
///    "last_days": 30, "op": "gt", "values": ["5000"]},
///   {"type": "segment", "id": "c3", "segment_id": 12, "op": "not_in"}]}}
/// </code>
/// Operators: eq, ne, gt, gte, lt, lte, between, in, not_in, contains, starts_with, is_empty. Functions: sum, count,
/// avg, min, max. Sources: credit_card, upi, both. No <c>last_days</c> means the rule's start/end window. Values are
/// written as text; numbers are accepted on reading. The seed's flat list (<c>[{"field": "total_spend", "operator": ">",
/// "value": 100}]</c>) is read too, as an AND group.
/// </summary>
public static class ConditionJson
{
    public const int Version = 1;

    public static string Write(ConditionNode root)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WritePropertyName("root");
            WriteNode(writer, root);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static ConditionNode Read(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ConditionFormatException($"line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}", "not valid JSON: " + ex.Message.Split(" Path:")[0]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                return ReadSeedList(root);
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ConditionFormatException("(root)", "expected an object with 'version' and 'root'");
            }

            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version)
            {
                throw new ConditionFormatException("version", $"only version {Version} is known");
            }

            if (!root.TryGetProperty("root", out var node))
            {
                throw new ConditionFormatException("root", "missing");
            }

            return ReadNode(node, "root");
        }
    }

    public static string Name(ConditionOperator op) => op switch
    {
        ConditionOperator.NotIn => "not_in",
        ConditionOperator.StartsWith => "starts_with",
        ConditionOperator.IsEmpty => "is_empty",
        _ => op.ToString().ToLowerInvariant(),
    };

    private static readonly Dictionary<string, ConditionOperator> Operators =
        Enum.GetValues<ConditionOperator>().ToDictionary(Name, StringComparer.Ordinal);

    private static string Name(TransactionSource source) => source switch
    {
        TransactionSource.CreditCard => "credit_card",
        TransactionSource.Upi => "upi",
        _ => "both",
    };

    private static void WriteNode(Utf8JsonWriter w, ConditionNode node)
    {
        w.WriteStartObject();
        switch (node)
        {
            case GroupCondition g:
                WriteHeader(w, "group", g);
                w.WriteString("logic", g.Logic == GroupLogic.And ? "and" : "or");
                w.WriteStartArray("children");
                foreach (var child in g.Children)
                {
                    WriteNode(w, child);
                }

                w.WriteEndArray();
                break;
            case AttributeCondition a:
                WriteHeader(w, "attribute", a);
                w.WriteString("field", a.Field);
                w.WriteString("op", Name(a.Operator));
                WriteStrings(w, "values", a.Values);
                break;
            case AggregateCondition a:
                WriteHeader(w, "aggregate", a);
                w.WriteString("function", a.Function.ToString().ToLowerInvariant());
                w.WriteString("source", Name(a.Source));
                WriteStrings(w, "categories", a.Categories);
                WriteStrings(w, "merchants", a.Merchants);
                if (a.Window.LastDays is { } days)
                {
                    w.WriteNumber("last_days", days);
                }

                w.WriteString("op", Name(a.Operator));
                WriteStrings(w, "values", a.Values);
                break;
            case SegmentCondition s:
                WriteHeader(w, "segment", s);
                w.WriteNumber("segment_id", s.SegmentId);
                w.WriteString("op", Name(s.Operator));
                break;
        }

        w.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter w, string type, ConditionNode node)
    {
        w.WriteString("type", type);
        w.WriteString("id", node.Id);
        w.WriteBoolean("not", node.Not);
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static ConditionNode ReadNode(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new ConditionFormatException(path, "expected an object");
        }

        var type = Text(e, "type", path);
        var id = Text(e, "id", path);
        var not = e.TryGetProperty("not", out var n) && n.ValueKind == JsonValueKind.True;
        switch (type)
        {
            case "group":
            {
                var logic = Text(e, "logic", path) switch
                {
                    "and" => GroupLogic.And,
                    "or" => GroupLogic.Or,
                    var other => throw new ConditionFormatException(path + ".logic", $"'{other}' is not 'and' or 'or'"),
                };
                if (!e.TryGetProperty("children", out var children) || children.ValueKind != JsonValueKind.Array)
                {
                    throw new ConditionFormatException(path + ".children", "expected an array");
                }

                return new GroupCondition(id, not, logic, children.EnumerateArray().Select((c, i) => ReadNode(c, $"{path}.children[{i}]")).ToList());
            }

            case "attribute":
                return new AttributeCondition(id, not, Text(e, "field", path), Op(e, path), Strings(e, "values", path));
            case "aggregate":
            {
                var function = Text(e, "function", path);
                if (!Enum.TryParse<AggregateFunction>(function, ignoreCase: true, out var f) || function != function.ToLowerInvariant())
                {
                    throw new ConditionFormatException(path + ".function", $"'{function}' is not one of sum, count, avg, min, max");
                }

                var source = Text(e, "source", path) switch
                {
                    "credit_card" => TransactionSource.CreditCard,
                    "upi" => TransactionSource.Upi,
                    "both" => TransactionSource.Both,
                    var other => throw new ConditionFormatException(path + ".source", $"'{other}' is not one of credit_card, upi, both"),
                };
                int? days = null;
                if (e.TryGetProperty("last_days", out var d) && d.ValueKind != JsonValueKind.Null)
                {
                    days = d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var x)
                        ? x
                        : throw new ConditionFormatException(path + ".last_days", "expected a whole number of days");
                }

                return new AggregateCondition(id, not, f, source, Strings(e, "categories", path, optional: true), Strings(e, "merchants", path, optional: true),
                    new AggregateWindow(days), Op(e, path), Strings(e, "values", path));
            }

            case "segment":
                if (!e.TryGetProperty("segment_id", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out var segment))
                {
                    throw new ConditionFormatException(path + ".segment_id", "expected the segment's id (a number)");
                }

                return new SegmentCondition(id, not, segment, Op(e, path));
            default:
                throw new ConditionFormatException(path + ".type", $"'{type}' is not one of group, attribute, aggregate, segment");
        }
    }

    /// <summary>The seed's flat list: every item an AND-ed comparison; <c>total_spend</c>-style names are aggregations.</summary>
    private static GroupCondition ReadSeedList(JsonElement list)
    {
        var children = new List<ConditionNode>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var path = $"[{i}]";
            var field = Text(item, "field", path);
            var symbol = Text(item, "operator", path);
            var op = symbol switch
            {
                "=" or "==" => ConditionOperator.Eq,
                "!=" or "<>" => ConditionOperator.Ne,
                ">" => ConditionOperator.Gt,
                ">=" => ConditionOperator.Gte,
                "<" => ConditionOperator.Lt,
                "<=" => ConditionOperator.Lte,
                "in" => ConditionOperator.In,
                _ => throw new ConditionFormatException(path + ".operator", $"'{symbol}' is not a known operator"),
            };
            var values = item.TryGetProperty("value", out var v) ? (v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(Scalar).ToList() : [Scalar(v)]) : [];
            var id = $"c{++i}";
            AggregateFunction? function = field switch
            {
                "total_spend" => AggregateFunction.Sum,
                "transaction_count" => AggregateFunction.Count,
                "avg_spend" or "average_spend" => AggregateFunction.Avg,
                "min_spend" => AggregateFunction.Min,
                "max_spend" => AggregateFunction.Max,
                _ => null,
            };
            children.Add(function is { } fn
                ? new AggregateCondition(id, false, fn, TransactionSource.Both, [], [], AggregateWindow.Rule, op, values)
                : new AttributeCondition(id, false, field, op, values));
        }

        return new GroupCondition("root", false, GroupLogic.And, children);
    }

    private static string Text(JsonElement e, string name, string path) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new ConditionFormatException($"{path}.{name}", "missing or not text");

    private static ConditionOperator Op(JsonElement e, string path)
    {
        var name = Text(e, "op", path);
        return Operators.TryGetValue(name, out var op) ? op : throw new ConditionFormatException(path + ".op", $"'{name}' is not a known operator");
    }

    private static List<string> Strings(JsonElement e, string name, string path, bool optional = false)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return optional ? [] : throw new ConditionFormatException($"{path}.{name}", "missing");
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new ConditionFormatException($"{path}.{name}", "expected an array");
        }

        return v.EnumerateArray().Select((x, i) => x.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? Scalar(x)
            : throw new ConditionFormatException($"{path}.{name}[{i}]", "expected text or a number")).ToList();
    }

    private static string Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Number => v.GetDecimal().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "",
    };
}
