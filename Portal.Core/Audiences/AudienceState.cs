using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portal.Core.Audiences;

/// <summary>
/// One audience's state file, held as its YAML node tree so that every key it has, known or not, stays in place and
/// in order when the portal writes it back (comments are not kept). Typed accessors read the seed's blocks:
/// <c>description</c>, <c>source</c> and one block per adtech.
/// </summary>
public sealed class AudienceState
{
    private readonly YamlStream _stream;
    private readonly YamlMappingNode _body;

    internal AudienceState(YamlStream stream, string name, YamlMappingNode body, string? defaultCountry)
    {
        _stream = stream;
        Name = name;
        _body = body;
        DefaultCountry = string.IsNullOrWhiteSpace(defaultCountry) ? null : defaultCountry.Trim().ToUpperInvariant();
    }

    public string Name { get; }

    public string? Description => Scalar(_body, "description");

    /// <summary>The state file's own <c>country</c> (ISO 3166-1 alpha-2, upper-cased); null when it names none.</summary>
    public string? CountrySetting => Scalar(_body, "country") is { Length: > 0 } code ? code.Trim().ToUpperInvariant() : null;

    /// <summary>The country for a file that names none (<c>Audiences:DefaultCountry</c>, given when the file was read); never written to the file.</summary>
    public string? DefaultCountry { get; }

    /// <summary>The country its identifiers are normalized for: the file's, else the default; null when neither is a known country.</summary>
    public Country? Country => Audiences.Country.TryGet(CountrySetting ?? DefaultCountry, out var country) ? country : null;

    /// <summary>
    /// The audience's country, or an error that says what to set: an upload never guesses one (a phone without its
    /// country code or a postal code hashed for the wrong country can never match).
    /// </summary>
    public Country RequireCountry() => Country ?? throw new InvalidOperationException(CountryProblem);

    /// <summary>Why the audience has no country to normalize for, saying what to set; null when it has one.</summary>
    public string? CountryProblem => Country is not null ? null
        : $"Audience {Name} cannot be normalized for upload: " + (
            CountrySetting is { } setting ? $"its 'country' is wrong: {Audiences.Country.Problem(setting)}."
            : DefaultCountry is { } fallback ? $"Audiences:DefaultCountry is wrong: {Audiences.Country.Problem(fallback)}."
            : "it has no country: add 'country:' with an ISO 3166-1 alpha-2 code (such as IN) to its state file, or set Audiences:DefaultCountry.");

    /// <summary>Sets the file's <c>country</c> (after the description), or with null or empty removes it so the default applies.</summary>
    public void SetCountry(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            _body.Children.Remove(new YamlScalarNode("country"));
            return;
        }

        Set(_body, "country", new YamlScalarNode(code.Trim().ToUpperInvariant()), after: "description");
    }

    public string? SourceEndpoint => Block("source") is { } source ? Scalar(source, "endpoint") : null;

    /// <summary>The saved segment a "segment" source takes its members from.</summary>
    public string? SourceSegment => Block("source") is { } source ? Scalar(source, "segment") : null;

    /// <summary>The source's <c>params</c>, flattened to text values for the request's query string.</summary>
    public IReadOnlyDictionary<string, string> SourceParams =>
        Block("source") is { } source && source.Children.TryGetValue(new YamlScalarNode("params"), out var node) && node is YamlMappingNode map
            ? map.Children.Where(kv => kv.Value is YamlScalarNode).ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => ((YamlScalarNode)kv.Value).Value ?? "")
            : new Dictionary<string, string>();

    public LastResponse? SourceLastResponse => Block("source") is { } source ? ReadResponse(source) : null;

    /// <summary>The adtech blocks present, in file order.</summary>
    public IReadOnlyList<string> AdtechKeysPresent =>
        _body.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").Where(AdtechKeys.All.Contains).ToList();

    /// <summary>Top-level keys of the audience that the portal does not know; kept as they are.</summary>
    public IReadOnlyList<string> OtherKeys =>
        _body.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "")
            .Where(k => k is not ("description" or "country" or "source") && !AdtechKeys.All.Contains(k)).ToList();

    public string? AdtechName(string key) => Block(key) is { } block ? Scalar(block, "name") : null;

    /// <summary>The id the adtech returned on upload, as text (the seed writes it quoted or not).</summary>
    public string? AdtechId(string key) => Block(key) is { } block ? Scalar(block, "id") : null;

    public string? AdtechSetting(string key, string setting) => Block(key) is { } block ? Scalar(block, setting) : null;

    public LastResponse? AdtechLastResponse(string key) => Block(key) is { } block ? ReadResponse(block) : null;

    /// <summary>The cron (UTC) the audience is synced to this adtech on, or null for none.</summary>
    public string? SyncSchedule(string key) => AdtechSetting(key, AdtechKeys.SyncSchedule) is { Length: > 0 } cron ? cron.Trim() : null;

    /// <summary>False when the block turns off the sync after each refresh of the audience's segment (on by default).</summary>
    public bool SyncsAfterRefresh(string key) =>
        !string.Equals(AdtechSetting(key, AdtechKeys.SyncAfterRefresh)?.Trim(), "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>POSTED once the adtech returned an id; otherwise NOT_POSTED, or NOT_FETCHED while there is no member data.</summary>
    public AdtechStatus StatusOf(string key, bool hasMemberData) =>
        !string.IsNullOrEmpty(AdtechId(key)) ? AdtechStatus.Posted : hasMemberData ? AdtechStatus.NotPosted : AdtechStatus.NotFetched;

    public void SetSourceResponse(LastResponse response) => WriteResponse(RequireBlock("source"), response);

    /// <summary>Records an upload: the returned id (when there is one) and the response.</summary>
    public void SetAdtechResult(string key, string? id, LastResponse response)
    {
        var block = RequireBlock(key);
        if (!string.IsNullOrEmpty(id))
        {
            Set(block, "id", new YamlScalarNode(id) { Style = ScalarStyle.SingleQuoted }, after: "name");
        }

        WriteResponse(block, response);
    }

    /// <summary>Sets the description (the form view's edits go through these setters, so unknown keys stay as they are).</summary>
    public void SetDescription(string? value) => SetOrRemove(_body, "description", value, first: true);

    /// <summary>Makes the source an HTTP endpoint with its params (replacing any segment source).</summary>
    public void SetSourceEndpoint(string endpoint, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var source = Block("source") ?? AddBlock("source", after: "description");
        source.Children.Remove(new YamlScalarNode("segment"));
        Set(source, "endpoint", new YamlScalarNode(endpoint), after: null);
        var map = new YamlMappingNode();
        foreach (var (key, value) in parameters.Where(p => !string.IsNullOrWhiteSpace(p.Key)))
        {
            map.Children[new YamlScalarNode(key.Trim())] = new YamlScalarNode(value);
        }

        if (map.Children.Count > 0)
        {
            Set(source, "params", map, after: "endpoint");
        }
        else
        {
            source.Children.Remove(new YamlScalarNode("params"));
        }
    }

    /// <summary>Makes the source a saved segment (replacing any HTTP endpoint and its params).</summary>
    public void SetSourceSegment(string segment)
    {
        var source = Block("source") ?? AddBlock("source", after: "description");
        source.Children.Remove(new YamlScalarNode("endpoint"));
        source.Children.Remove(new YamlScalarNode("params"));
        Set(source, "segment", new YamlScalarNode(segment), after: null);
    }

    /// <summary>Adds an adtech block with the settings a new upload needs (name = the audience's name).</summary>
    public void AddAdtech(string key)
    {
        if (!AdtechKeys.All.Contains(key))
        {
            throw new ArgumentException($"'{key}' is not a known adtech; use one of {string.Join(", ", AdtechKeys.All)}.", nameof(key));
        }

        if (Block(key) is not null)
        {
            return;
        }

        var block = AddBlock(key, after: null);
        block.Children[new YamlScalarNode("name")] = new YamlScalarNode(Name);
        foreach (var (setting, value) in AdtechKeys.DefaultSettings(key))
        {
            block.Children[new YamlScalarNode(setting)] = new YamlScalarNode(value);
        }
    }

    public void RemoveAdtech(string key) => _body.Children.Remove(new YamlScalarNode(key));

    /// <summary>Sets (or, with null or empty, removes) one key of an adtech block: <c>name</c> or an adtech-specific setting.</summary>
    public void SetAdtechSetting(string key, string setting, string? value) => SetOrRemove(RequireBlock(key), setting, value, first: false);

    /// <summary>The YAML text, as the bucket stores it.</summary>
    public string ToYaml()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        _stream.Save(writer, assignAnchors: false);
        var text = writer.ToString().TrimEnd();
        if (text.EndsWith("...", StringComparison.Ordinal))
        {
            text = text[..^3].TrimEnd();
        }

        return text + "\n";
    }

    /// <summary>The whole tree as plain values (dictionaries, lists, strings), for comparing meaning.</summary>
    public object? ToPlain() => Plain(_stream.Documents[0].RootNode);

    internal static object? Plain(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value,
        YamlSequenceNode seq => seq.Children.Select(Plain).ToList(),
        YamlMappingNode map => map.Children.ToDictionary(kv => (string)Plain(kv.Key)!, kv => Plain(kv.Value)),
        _ => null,
    };

    private YamlMappingNode? Block(string key) =>
        _body.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node as YamlMappingNode : null;

    private YamlMappingNode RequireBlock(string key) =>
        Block(key) ?? throw new InvalidOperationException($"Audience {Name} has no '{key}' block.");

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;

    private static LastResponse? ReadResponse(YamlMappingNode block)
    {
        if (!block.Children.TryGetValue(new YamlScalarNode("last_response"), out var node) || node is not YamlMappingNode map)
        {
            return null;
        }

        _ = int.TryParse(Scalar(map, "status"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var status);
        return new LastResponse(Scalar(map, "date") ?? "", status, Scalar(map, "message") ?? "");
    }

    private static void WriteResponse(YamlMappingNode block, LastResponse response)
    {
        var map = new YamlMappingNode
        {
            { "date", new YamlScalarNode(response.Date) { Style = ScalarStyle.SingleQuoted } },
            { "status", new YamlScalarNode(response.Status.ToString(CultureInfo.InvariantCulture)) },
            { "message", new YamlScalarNode(response.Message) { Style = ScalarStyle.SingleQuoted } },
        };
        Set(block, "last_response", map, after: null);
    }

    private YamlMappingNode AddBlock(string key, string? after)
    {
        var block = new YamlMappingNode();
        Set(_body, key, block, after);
        return block;
    }

    private static void SetOrRemove(YamlMappingNode map, string key, string? value, bool first)
    {
        var k = new YamlScalarNode(key);
        if (string.IsNullOrEmpty(value))
        {
            map.Children.Remove(k);
            return;
        }

        if (map.Children.TryGetValue(k, out var existing) && existing is YamlScalarNode scalar)
        {
            scalar.Value = value;
            return;
        }

        if (first && !map.Children.ContainsKey(k))
        {
            var entries = map.Children.ToList();
            map.Children.Clear();
            map.Children.Add(k, new YamlScalarNode(value));
            foreach (var entry in entries)
            {
                map.Children.Add(entry.Key, entry.Value);
            }

            return;
        }

        map.Children[k] = new YamlScalarNode(value);
    }

    /// <summary>Replaces a key's value in place, or adds the key (after <paramref name="after"/> when given, else last).</summary>
    private static void Set(YamlMappingNode map, string key, YamlNode value, string? after)
    {
        var k = new YamlScalarNode(key);
        if (map.Children.ContainsKey(k) || after is null || !map.Children.ContainsKey(new YamlScalarNode(after)))
        {
            map.Children[k] = value;
            return;
        }

        // Rebuild to insert in position (YamlMappingNode keeps insertion order).
        var entries = map.Children.ToList();
        map.Children.Clear();
        foreach (var entry in entries)
        {
            map.Children.Add(entry.Key, entry.Value);
            if (entry.Key is YamlScalarNode { Value: var v } && v == after)
            {
                map.Children.Add(k, value);
            }
        }
    }
}
