using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Portal.Core.Jobs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portal.Core.Audiences;

public sealed record StateParseResult(AudienceState? State, IReadOnlyList<StateIssue> Issues)
{
    public bool IsValid => State is not null && Issues.Count == 0;
}

/// <summary>
/// Reads a state file and checks it against the seed's rules. Every message says the file, line, column and field.
/// A state is returned whenever the YAML could be read as one audience (so editors can still show it); it is valid
/// only without issues.
/// </summary>
public static partial class AudienceStateParser
{
    /// <summary>Audience names are file names: letters, digits, '_' and '-', starting with a letter or digit.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")]
    public static partial Regex SafeName();

    public static string NameFromFile(string fileName)
    {
        var name = Path.GetFileName(fileName);
        return name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ? name[..^4]
            : name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ? name[..^5]
            : name;
    }

    /// <summary>Reads <paramref name="text"/> within <paramref name="limits"/> (<see cref="YamlLimits.Default"/> when null).</summary>
    /// <param name="defaultCountry">The country of an audience whose file names none (<c>Audiences:DefaultCountry</c>); null: none.</param>
    public static StateParseResult Parse(string fileName, string text, string? defaultCountry = null, YamlLimits? limits = null,
        TimeSpan? minScheduleInterval = null)
    {
        limits ??= YamlLimits.Default;
        var file = Path.GetFileName(fileName);
        var issues = new List<StateIssue>();
        if (TooLarge(file, text, limits.MaxFileBytes) is { } tooLarge)
        {
            return new StateParseResult(null, [tooLarge]);
        }

        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new LimitedYamlParser(new Parser(scanner), limits));
        }
        catch (YamlException ex)
        {
            issues.Add(new StateIssue(file, (int)ex.Start.Line, (int)ex.Start.Column, "(yaml)", Clean(ex.Message)));
            return new StateParseResult(null, issues);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up on some malformed flow collections without a YamlException.
            issues.Add(new StateIssue(file, (int)scanner.CurrentPosition.Line, (int)scanner.CurrentPosition.Column, "(yaml)",
                "YAML syntax error: an unclosed '[', '{' or quote before this point?"));
            return new StateParseResult(null, issues);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root || root.Children.Count == 0)
        {
            issues.Add(new StateIssue(file, 1, 1, "(root)", "A state file holds exactly one YAML document: a mapping with the audience's name as its only key."));
            return new StateParseResult(null, issues);
        }

        if (root.Children.Count > 1)
        {
            var second = root.Children.Keys.ElementAt(1);
            issues.Add(At(file, second, "(root)", $"A state file holds one audience, but this one has {root.Children.Count} top-level keys."));
        }

        var (keyNode, bodyNode) = root.Children.First();
        var name = (keyNode as YamlScalarNode)?.Value ?? "";
        var expected = NameFromFile(file);
        if (!SafeName().IsMatch(name))
        {
            issues.Add(At(file, keyNode, name, $"'{name}' is not a safe audience name: use letters, digits, '_' and '-' (at most 100), starting with a letter or digit."));
        }

        if (!string.Equals(name, expected, StringComparison.Ordinal))
        {
            issues.Add(At(file, keyNode, name, $"The audience key '{name}' must equal the file name '{expected}'."));
        }

        if (bodyNode is not YamlMappingNode body)
        {
            issues.Add(At(file, bodyNode, name, "The audience must be a mapping with description, source and adtech blocks."));
            return new StateParseResult(null, issues);
        }

        CheckBody(file, name, keyNode, body, minScheduleInterval ?? CronSchedule.DefaultMinInterval, issues);
        return new StateParseResult(new AudienceState(stream, name, body, defaultCountry), issues);
    }

    private static void CheckBody(string file, string name, YamlNode keyNode, YamlMappingNode body, TimeSpan minScheduleInterval, List<StateIssue> issues)
    {
        RequireScalar(file, name, keyNode, body, "description", issues);
        if (TryGet(body, "country", out var country)
            && Country.Problem((country as YamlScalarNode)?.Value) is { } countryProblem)
        {
            issues.Add(At(file, country, $"{name}.country", country is YamlScalarNode
                ? $"'country' must be a known ISO 3166-1 alpha-2 code, but {countryProblem}."
                : "'country' must be a single ISO 3166-1 alpha-2 code, such as IN."));
        }

        if (!TryGet(body, "source", out var sourceNode))
        {
            issues.Add(At(file, keyNode, $"{name}.source", "Missing required block 'source' (with 'endpoint', or 'segment')."));
        }
        else if (sourceNode is not YamlMappingNode source)
        {
            issues.Add(At(file, sourceNode, $"{name}.source", "'source' must be a mapping with 'endpoint' and 'params', or 'segment'."));
        }
        else
        {
            var hasEndpoint = TryGet(source, "endpoint", out var endpoint);
            var hasSegment = TryGet(source, "segment", out var segment);
            if (!hasEndpoint && !hasSegment)
            {
                issues.Add(At(file, sourceNode, $"{name}.source", "Missing required key 'endpoint' (an HTTP data source) or 'segment' (a saved segment)."));
            }
            else if (hasEndpoint && hasSegment)
            {
                issues.Add(At(file, segment!, $"{name}.source.segment", "Give either 'endpoint' or 'segment', not both."));
            }

            if (hasEndpoint && endpoint is not YamlScalarNode { Value.Length: > 0 })
            {
                issues.Add(At(file, endpoint!, $"{name}.source.endpoint", "'endpoint' must be a non-empty text value."));
            }
            else if (hasEndpoint && SourceEndpoint.Problem(((YamlScalarNode)endpoint!).Value!) is { } problem)
            {
                issues.Add(At(file, endpoint, $"{name}.source.endpoint", $"'endpoint' must be a path relative to the data source, but {problem}."));
            }

            if (TryGet(source, "params", out var parameters) && parameters is not YamlMappingNode)
            {
                issues.Add(At(file, parameters, $"{name}.source.params", "'params' must be a mapping of names to values."));
            }

            CheckResponse(file, $"{name}.source", source, issues);
        }

        foreach (var key in AdtechKeys.All)
        {
            if (!TryGet(body, key, out var blockNode))
            {
                continue;
            }

            var path = $"{name}.{key}";
            if (blockNode is not YamlMappingNode block)
            {
                issues.Add(At(file, blockNode, path, $"'{key}' must be a mapping with at least 'name'."));
                continue;
            }

            RequireScalar(file, path, blockNode, block, "name", issues);
            if (TryGet(block, "id", out var id) && id is not YamlScalarNode)
            {
                issues.Add(At(file, id, $"{path}.id", "'id' must be a single value."));
            }

            if (key == AdtechKeys.AdtechA)
            {
                if (!TryGet(block, "audience_type", out var typeNode))
                {
                    issues.Add(At(file, blockNode, $"{path}.audience_type", $"Missing required key 'audience_type' (one of {string.Join(", ", AdtechKeys.AdtechAAudienceTypes)})."));
                }
                else if (typeNode is not YamlScalarNode { Value: { } type } || !AdtechKeys.AdtechAAudienceTypes.Contains(type.ToUpperInvariant()))
                {
                    issues.Add(At(file, typeNode, $"{path}.audience_type",
                        $"'{(typeNode as YamlScalarNode)?.Value}' is not an AdtechA audience type; use one of {string.Join(", ", AdtechKeys.AdtechAAudienceTypes)}."));
                }
            }

            if (key == AdtechKeys.AdtechB)
            {
                CheckDays(file, path, block, "expiration_time", AdtechKeys.IsValidExpiration, "expiration time: 0 to 540 days, or exactly 1000 for no expiry", issues);
            }

            if (key == AdtechKeys.GoogleAds)
            {
                CheckDays(file, path, block, "membership_life_span", AdtechKeys.IsValidMembershipLifeSpan,
                    $"membership life span: 0 to 540 days (a former {AdtechKeys.UnlimitedMembershipLifeSpan} is read as 540)", issues);
            }

            CheckSync(file, path, block, minScheduleInterval, issues);
            CheckResponse(file, path, block, issues);
        }
    }

    /// <summary>An adtech block's optional sync settings: a cron no more frequent than the minimum interval, and true or false.</summary>
    private static void CheckSync(string file, string path, YamlMappingNode block, TimeSpan minScheduleInterval, List<StateIssue> issues)
    {
        if (TryGet(block, AdtechKeys.SyncSchedule, out var schedule)
            && (schedule is not YamlScalarNode { Value: { } cron } || !CronSchedule.TryParse(cron, minScheduleInterval, out _, out _)))
        {
            var reason = schedule is YamlScalarNode { Value: { } text } && !CronSchedule.TryParse(text, minScheduleInterval, out _, out var error)
                ? error : "It must be a single cron value.";
            issues.Add(At(file, schedule, $"{path}.{AdtechKeys.SyncSchedule}", $"'{AdtechKeys.SyncSchedule}' is not a usable schedule (cron, UTC): {reason}"));
        }

        if (TryGet(block, AdtechKeys.SyncAfterRefresh, out var after)
            && (after is not YamlScalarNode { Value: { } flag } || !bool.TryParse(flag.Trim(), out _)))
        {
            issues.Add(At(file, after, $"{path}.{AdtechKeys.SyncAfterRefresh}", $"'{AdtechKeys.SyncAfterRefresh}' must be true or false."));
        }
    }

    /// <summary>An optional whole number of days that <paramref name="isValid"/> must accept.</summary>
    private static void CheckDays(string file, string path, YamlMappingNode block, string key, Func<int, bool> isValid, string what, List<StateIssue> issues)
    {
        if (TryGet(block, key, out var node)
            && (node is not YamlScalarNode { Value: { } text }
                || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var days)
                || !isValid(days)))
        {
            issues.Add(At(file, node, $"{path}.{key}", $"'{(node as YamlScalarNode)?.Value}' is not a valid {what}."));
        }
    }

    private static void CheckResponse(string file, string path, YamlMappingNode block, List<StateIssue> issues)
    {
        if (!TryGet(block, "last_response", out var node))
        {
            return;
        }

        if (node is not YamlMappingNode response)
        {
            issues.Add(At(file, node, $"{path}.last_response", "'last_response' must be a mapping with date, status and message."));
            return;
        }

        if (TryGet(response, "status", out var status)
            && (status is not YamlScalarNode { Value: { } s } || !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
        {
            issues.Add(At(file, status, $"{path}.last_response.status", "'status' must be a whole number (the HTTP status)."));
        }
    }

    private static void RequireScalar(string file, string path, YamlNode owner, YamlMappingNode map, string key, List<StateIssue> issues)
    {
        if (!TryGet(map, key, out var node))
        {
            issues.Add(At(file, owner, $"{path}.{key}", $"Missing required key '{key}'."));
        }
        else if (node is not YamlScalarNode { Value.Length: > 0 })
        {
            issues.Add(At(file, node, $"{path}.{key}", $"'{key}' must be a non-empty text value."));
        }
    }

    /// <summary>The issue for a text over <paramref name="maxBytes"/> UTF-8 bytes, placed where it passes the limit.</summary>
    private static StateIssue? TooLarge(string file, string text, long maxBytes)
    {
        if (text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return null;
        }

        var (line, column, bytes) = (1, 1, 0L);
        foreach (var c in text)
        {
            bytes += c < 0x80 ? 1 : c < 0x800 || char.IsSurrogate(c) ? 2 : 3;
            if (bytes > maxBytes)
            {
                break;
            }

            (line, column) = c == '\n' ? (line + 1, 1) : (line, column + 1);
        }

        return new StateIssue(file, line, column, "(file)",
            $"The file is {Encoding.UTF8.GetByteCount(text):N0} bytes; a state file may be at most {maxBytes:N0} bytes (Bucket:MaxStateFileBytes), and this one passes that here.");
    }

    private static bool TryGet(YamlMappingNode map, string key, out YamlNode? node) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out node);

    private static StateIssue At(string file, YamlNode? node, string field, string message) =>
        new(file, (int)(node?.Start.Line ?? 1), (int)(node?.Start.Column ?? 1), field, message);

    private static string Clean(string message) =>
        message.StartsWith("(Line:", StringComparison.Ordinal) && message.IndexOf("): ", StringComparison.Ordinal) is var i and > 0
            ? message[(i + 3)..]
            : message;
}
