using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Sequences;

namespace NurtureEngine.Automation;

/// <summary>Parsed sequence definitions, cached by version id (versions never change).</summary>
public sealed class SequenceCatalog
{
    private readonly ConcurrentDictionary<long, SequenceDefinition> _versions = new();

    public async Task<SequenceDefinition> GetVersionAsync(NurtureDbContext db, long versionId, CancellationToken ct)
    {
        if (_versions.TryGetValue(versionId, out var cached)) return cached;
        var json = await db.SequenceVersions.Where(v => v.Id == versionId).Select(v => v.DefinitionJson).SingleAsync(ct);
        return _versions[versionId] = Json.Deserialize<SequenceDefinition>(json);
    }
}
