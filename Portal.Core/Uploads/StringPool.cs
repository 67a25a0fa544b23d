namespace Portal.Core.Uploads;

/// <summary>
/// The strings of a column, shared while they repeat (categories, merchants, cities): a short value seen before is
/// given back instead of allocated again. Bounded: once full, new values are allocated as they come.
/// </summary>
internal sealed class StringPool
{
    private const int MaxEntries = 4096;
    private const int MaxLength = 64;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxLength)
        {
            return text.ToString();
        }

        if (_lookup.TryGetValue(text, out var known))
        {
            return known;
        }

        var value = text.ToString();
        if (_strings.Count < MaxEntries)
        {
            _strings.Add(value, value);
        }

        return value;
    }
}
