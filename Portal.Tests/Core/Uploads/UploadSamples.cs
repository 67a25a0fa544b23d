using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Uploads;

/// <summary>CSV files for upload tests, and importing them on a <see cref="CoreHost"/> as the job would.</summary>
public static class UploadSamples
{
    public const string UsersHeader = "user_id,name,email,phone,zip_code,city,city_tier,created_at";
    public const string CardHeader = "transaction_id,user_id,amount,merchant,category,transaction_date";
    public const string UpiHeader = "transaction_id,user_id,amount,description,category,transaction_date";

    public static byte[] Csv(string header, params string[] rows) => Encoding.UTF8.GetBytes(string.Join("\n", [header, .. rows]) + "\n");

    public static string User(long id, string city = "Testville", int tier = 1, string? email = null) => string.Create(CultureInfo.InvariantCulture,
        $"{id},Uploaded {id},{email ?? $"uploaded{id}@example.com"},+919800000{id % 1000:000},560001,{city},{tier},2025-01-0{1 + (id % 9)} 10:00:00");

    public static string Card(long id, long user, decimal amount, string category = "Travel", string date = "2026-10-10 12:00:00") =>
        string.Create(CultureInfo.InvariantCulture, $"{id},{user},{amount:0.00},Uploaded Air,{category},{date}");

    /// <summary>Puts a file into the bucket (as an upload would leave it) and returns its path.</summary>
    public static async Task<string> PutAsync(CoreHost host, string path, byte[] content)
    {
        await host.Get<IBucket>().WriteAsync(path, (stream, ct) => stream.WriteAsync(content, ct).AsTask());
        return path;
    }

    /// <summary>Imports a file directly (not as a job), as the marketer.</summary>
    public static async Task<ImportedFile> ImportAsync(this CoreHost host, string dataset, string? partition, string fileName, byte[] content,
        long? jobId = null)
    {
        var path = await PutAsync(host, $"{DatasetFiles.UploadsFolder}/{Guid.NewGuid():N}.csv", content);
        return await host.Get<DatasetImporter>().ImportAsync(
            new ImportRequest(dataset, partition, fileName, path, CoreHost.Marketer.Identity!.Name!, ImportSource.Upload, jobId));
    }

    public static async Task<ImportedFile> ImportedAsync(this CoreHost host, string dataset, string? partition, string fileName, byte[] content)
    {
        var file = await host.ImportAsync(dataset, partition, fileName, content);
        Assert.True(file.Status == ImportStatus.Imported, $"{fileName} was {file.Status}: {file.Error}");
        return file;
    }

    /// <summary>Every object in the bucket under a folder, by path.</summary>
    public static async Task<List<string>> FilesAsync(CoreHost host, string folder) =>
        await host.Get<IBucket>().ListAllAsync(folder).Select(i => i.Path).ToListAsync();

    public static async Task<List<ImportedFile>> CatalogAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        return await db.ImportedFiles.AsNoTracking().OrderBy(f => f.Id).ToListAsync();
    }

    /// <summary>The values of one column of a stored Parquet file, read back with Parquet.Net.</summary>
    public static async Task<List<long>> StoredInt64Async(CoreHost host, string path, string column)
    {
        var values = new List<long>();
        await using var stream = await host.Get<IBucket>().OpenReadAsync(path);
        await using var reader = await Parquet.ParquetReader.CreateAsync(stream);
        var field = reader.Schema.DataFields.Single(f => f.Name == column);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var buffer = new long[group.RowCount];
            await group.ReadAsync<long>(field, buffer);
            values.AddRange(buffer);
        }

        return values;
    }
}
