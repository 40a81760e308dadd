using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NurtureEngine.Sequences;

/// <summary>
/// A/B split of an email step: a weighted choice that is a pure function of (lead, step), so a lead
/// gets the same variant in every process, on every re-enrollment and in a simulation with its id.
/// </summary>
public static class VariantPicker
{
    public static string Pick(Step step, Guid leadId)
    {
        if (step.Variants is not { Count: > 0 } variants) return step.Template!;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{leadId:N}/{step.Id}"));
        var roll = (int)(BinaryPrimitives.ReadUInt32LittleEndian(hash) % 100);
        foreach (var v in variants) { if (roll < v.Weight) return v.Template; roll -= v.Weight; }
        return variants[^1].Template;
    }
}
