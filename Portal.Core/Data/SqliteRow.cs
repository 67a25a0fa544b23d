using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Portal.Core.Data;

/// <summary>
/// A prepared multi-row INSERT (or any one statement, with its first row of results) bound through SQLite's C API. Text from small pools (cities, merchants, categories) is
/// encoded to UTF-8 once; dates use the same text format as Microsoft.Data.Sqlite and EF Core
/// ("yyyy-MM-dd HH:mm:ss.FFFFFFF"), so what EF reads back is what was written. Values are bound by calling SQLite's
/// own <c>sqlite3_bind_*</c> functions in the same native library SQLitePCL loads (see <see cref="Native"/>): through
/// SQLitePCL's provider a bind cost about 55 ns, most of it in the wrapper, and a million rows make millions of binds.
/// </summary>
internal sealed partial class SqliteRow : IDisposable
{
    /// <summary>SQLITE_TRANSIENT: SQLite copies the bytes before the bind returns.</summary>
    private static readonly IntPtr Transient = new(-1);
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly IntPtr _handle;
    private readonly int _columns;
    private readonly Dictionary<string, byte[]> _pooled = new(ReferenceEqualityComparer.Instance);
    private readonly byte[] _buffer = GC.AllocateArray<byte>(1024, pinned: true);
    private readonly IntPtr _bufferAddress;

    public SqliteRow(SqliteConnection connection, string table, string[] columns, int rows)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        _columns = columns.Length;
        var values = new StringBuilder();
        for (var r = 0; r < rows; r++)
        {
            values.Append(r == 0 ? "(" : ",(");
            values.Append(string.Join(',', Enumerable.Repeat("?", columns.Length)));
            values.Append(')');
        }

        var sql = $"INSERT INTO {table} ({string.Join(",", columns)}) VALUES {values}";
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        (_handle, _bufferAddress) = (_statement.DangerousGetHandle(), Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0));
    }

    /// <summary>Any one statement, its values bound as parameters: <paramref name="values"/> of them per row, one row.</summary>
    public SqliteRow(SqliteConnection connection, string sql, int values)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        _columns = values;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        (_handle, _bufferAddress) = (_statement.DangerousGetHandle(), Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0));
    }

    /// <summary>The row within the statement that the next binds go to.</summary>
    public int Row { get; set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Index(int column) => (Row * _columns) + column + 1;

    public void Int(int column, long value) => Check(Native.BindInt64(_handle, Index(column), value));

    public void Real(int column, double value) => Check(Native.BindDouble(_handle, Index(column), value));

    public void Text(int column, string value)
    {
        if (value.Length > _buffer.Length / 3)
        {
            // Longer than the buffer may hold in UTF-8 (uploaded text can be): encoded on its own.
            Check(raw.sqlite3_bind_text(_statement, Index(column), Encoding.UTF8.GetBytes(value)));
            return;
        }

        var length = Encoding.UTF8.GetBytes(value, _buffer);
        Check(Native.BindText(_handle, Index(column), _bufferAddress, length, Transient));
    }

    /// <summary>For strings that recur by reference (generator pools): encoded once, then reused.</summary>
    public void PooledText(int column, string value)
    {
        if (!_pooled.TryGetValue(value, out var bytes))
        {
            bytes = Encoding.UTF8.GetBytes(value);
            _pooled[value] = bytes;
        }

        Check(raw.sqlite3_bind_text(_statement, Index(column), bytes));
    }

    public void Date(int column, DateTime value)
    {
        var length = FormatDate(value, _buffer);
        Check(Native.BindText(_handle, Index(column), _bufferAddress, length, Transient));
    }

    /// <summary>
    /// <paramref name="value"/> as EF Core's SQLite provider stores a DateTime, <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> (the
    /// fraction without its trailing zeros, and no point when it is zero), in ASCII; what <see cref="DateTime.TryFormat(Span{byte}, out int, ReadOnlySpan{char}, IFormatProvider?)"/>
    /// gives with that format, written digit by digit (a million rows spent a third of their binding time in the general formatter).
    /// </summary>
    internal static int FormatDate(DateTime value, Span<byte> output)
    {
        var ticks = value.Ticks;
        var date = DateOnly.FromDateTime(value);
        Digits(output, 0, date.Year, 4);
        output[4] = (byte)'-';
        Digits(output, 5, date.Month, 2);
        output[7] = (byte)'-';
        Digits(output, 8, date.Day, 2);
        output[10] = (byte)' ';
        var time = ticks % TimeSpan.TicksPerDay;
        Digits(output, 11, (int)(time / TimeSpan.TicksPerHour), 2);
        output[13] = (byte)':';
        Digits(output, 14, (int)(time / TimeSpan.TicksPerMinute % 60), 2);
        output[16] = (byte)':';
        Digits(output, 17, (int)(time / TimeSpan.TicksPerSecond % 60), 2);
        var fraction = (int)(time % TimeSpan.TicksPerSecond);
        if (fraction == 0)
        {
            return 19;
        }

        output[19] = (byte)'.';
        var digits = 7;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }

        Digits(output, 20, fraction, digits);
        return 20 + digits;
    }

    private static void Digits(Span<byte> output, int at, int value, int count)
    {
        for (var i = at + count - 1; i >= at; i--)
        {
            output[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>Runs a query to its first row: true with the row's values readable through <see cref="ResultInt64"/>, false when it has none. <see cref="Reset"/> after.</summary>
    public bool StepToRow()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc is not (raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
        }

        return rc == raw.SQLITE_ROW;
    }

    public long ResultInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    public void Reset() => Check(raw.sqlite3_reset(_statement));

    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
        }

        Check(raw.sqlite3_reset(_statement));
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
        }
    }

    public void Dispose() => _statement.Dispose();

    /// <summary>
    /// SQLite's bind functions, from the e_sqlite3 library that SQLitePCLRaw ships and has already loaded, on the
    /// statement's own handle (kept alive by <see cref="_statement"/>). Text is passed as a pinned buffer with its length.
    /// </summary>
    private static partial class Native
    {
        [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_bind_int64")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        public static partial int BindInt64(IntPtr statement, int index, long value);

        [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_bind_double")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        public static partial int BindDouble(IntPtr statement, int index, double value);

        [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_bind_text")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        public static partial int BindText(IntPtr statement, int index, IntPtr text, int length, IntPtr destructor);
    }
}
