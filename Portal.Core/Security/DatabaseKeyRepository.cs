using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Lineage;

namespace Portal.Core.Security;

/// <summary>
/// The Data Protection key ring kept in the database, so every portal instance on it protects and reads cookies and
/// stored credentials with the same keys. Keys an earlier version wrote to the <c>data/keys</c> folder are still read
/// (never written), so what they protected stays readable; new keys go to the database only.
/// </summary>
public sealed class DatabaseKeyRepository(IDbContextFactory<PortalDbContext> dbFactory, IXmlRepository? legacyFolder) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = dbFactory.CreateDbContext();
        var stored = db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList();
        var elements = stored.Where(xml => !string.IsNullOrEmpty(xml)).Select(xml => XElement.Parse(xml!)).ToList();
        if (legacyFolder is not null)
        {
            elements.AddRange(legacyFolder.GetAllElements());
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = dbFactory.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        // A new key changes nothing the lineage shows (and is made in the background, whenever the key ring needs one).
        LineageWriteInterceptor.NotALineageWrite(db.SaveChanges);
    }
}
