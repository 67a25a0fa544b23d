using System.Globalization;

namespace Portal.Core.Uploads;

/// <summary>Sizes in words for the messages that name a limit: "2 GiB (2,147,483,648 bytes)", "1 MiB (1,048,576 bytes)", "64 KiB (65,536 bytes)", "10,000 bytes".</summary>
public static class ByteSize
{
    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 30:N0} GiB ({bytes:N0} bytes)"),
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):N0} MiB ({bytes:N0} bytes)"),
        >= 1024 when bytes % 1024 == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:N0} KiB ({bytes:N0} bytes)"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes"),
    };
}
