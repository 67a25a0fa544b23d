namespace Portal.Core.Audiences;

/// <summary>
/// Members packed into three arrays that are kept and reused from batch to batch: the characters of all their values one
/// after another, where each value ends, and where each member's list of each <see cref="MemberField"/> ends. A member
/// added here can be dropped at once, so the members of a large upload die young instead of living through the stages of
/// the upload (which would make the garbage collector copy them along); a null value is kept as an empty one.
/// </summary>
public sealed class MemberBatch
{
    private const int Fields = 3;

    private char[] _text;
    private int _textLength;
    private int[] _valueEnds;
    private int _values;
    private int[] _listEnds;
    private int _lists;

    /// <param name="members">How many members to make room for at first (one value of 24 characters per field each).</param>
    public MemberBatch(int members = 256)
    {
        _text = new char[members * Fields * 24];
        _valueEnds = new int[members * Fields];
        _listEnds = new int[members * Fields];
    }

    public int Count => _lists / Fields;

    public void Clear() => _textLength = _values = _lists = 0;

    public void Add(Member member)
    {
        AddList(member.Emails);
        AddList(member.Phones);
        AddList(member.Zips);
    }

    /// <summary>
    /// Adds one field of a member from values packed one after another (as a column reader holds them): value i is
    /// <paramref name="text"/> from the end of the one before (<paramref name="start"/> for the first) to
    /// <paramref name="ends"/>[i]. A member is three such calls, in <see cref="MemberField"/> order.
    /// </summary>
    public void AddValues(ReadOnlySpan<char> text, int start, ReadOnlySpan<int> ends)
    {
        for (var i = 0; i < ends.Length; i++)
        {
            var value = text[start..ends[i]];
            Grow(ref _text, _textLength + value.Length);
            value.CopyTo(_text.AsSpan(_textLength));
            _textLength += value.Length;
            Grow(ref _valueEnds, _values + 1);
            _valueEnds[_values++] = _textLength;
            start = ends[i];
        }

        Grow(ref _listEnds, _lists + 1);
        _listEnds[_lists++] = _values;
    }

    /// <summary>How many values the member at <paramref name="index"/> has of <paramref name="field"/>.</summary>
    public int ValueCount(int index, MemberField field)
    {
        var list = List(index, field);
        return _listEnds[list] - ListStart(list);
    }

    /// <summary>The <paramref name="value"/>th value of the member's <paramref name="field"/>.</summary>
    public ReadOnlySpan<char> Value(int index, MemberField field, int value)
    {
        var v = ListStart(List(index, field)) + value;
        var start = v == 0 ? 0 : _valueEnds[v - 1];
        return _text.AsSpan(start, _valueEnds[v] - start);
    }

    private int List(int index, MemberField field)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return (index * Fields) + (int)field;
    }

    private int ListStart(int list) => list == 0 ? 0 : _listEnds[list - 1];

    private void AddList(IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i].AsSpan();
            Grow(ref _text, _textLength + value.Length);
            value.CopyTo(_text.AsSpan(_textLength));
            _textLength += value.Length;
            Grow(ref _valueEnds, _values + 1);
            _valueEnds[_values++] = _textLength;
        }

        Grow(ref _listEnds, _lists + 1);
        _listEnds[_lists++] = _values;
    }

    private static void Grow<T>(ref T[] array, int length)
    {
        if (length > array.Length)
        {
            Array.Resize(ref array, Math.Max(length, array.Length * 2));
        }
    }
}
