DUR = ['0.5','1','2.5','5','10','30','60','120','300','600','1800','3600','+Inf']
CPU = ['0.1','0.25','0.5','1','2.5','5','10','30','60','120','300','+Inf']
MEM = ['1048576','5242880','10485760','26214400','52428800','104857600','157286400','268435456','536870912','1073741824','2147483648','4294967296','+Inf']

def fmt(v):
    if v == int(v): return str(int(v))
    return repr(v)

def compress(vals):
    """vals: list of numbers or None (absent) or 'stale'. Returns promtool expanding notation."""
    out = []
    i = 0
    n = len(vals)
    while i < n:
        v = vals[i]
        if v is None:
            j = i
            while j < n and vals[j] is None: j += 1
            out.append('_' if j - i == 1 else f'_x{j-i}')
            i = j
            continue
        if v == 'stale':
            out.append('stale'); i += 1; continue
        # numeric run with constant diff
        j = i + 1
        if j < n and isinstance(vals[j], (int, float)) and vals[j] is not None and vals[j] != 'stale':
            d = vals[j] - v
            while j + 1 < n and isinstance(vals[j+1], (int, float)) and vals[j+1] - vals[j] == d:
                j += 1
            cnt = j - i  # additional values
            if d == 0:
                out.append(f'{fmt(v)}x{cnt}')
            else:
                out.append(f'{fmt(v)}{"+" if d>0 else "-"}{fmt(abs(d))}x{cnt}')
            i = j + 1
        else:
            out.append(fmt(v)); i += 1
    return ' '.join(out)

def bucket_index(buckets, x):
    for k, b in enumerate(buckets):
        if b == '+Inf' or x <= float(b): return k
    return len(buckets) - 1

def hist_series(name, labels, buckets, steps, runs_at):
    """runs_at(step) -> list of observed values at that step, or None if series absent at that step.
    Counts are cumulative from the first present step."""
    lines = []
    counts = [0] * len(buckets)
    per_bucket = [[] for _ in buckets]
    for s in range(steps):
        obs = runs_at(s)
        if obs is None:
            for k in range(len(buckets)): per_bucket[k].append(None)
            continue
        for x in obs:
            k0 = bucket_index(buckets, x)
            for k in range(k0, len(buckets)): counts[k] += 1
        for k in range(len(buckets)): per_bucket[k].append(counts[k])
    for k, b in enumerate(buckets):
        lab = labels + f',le="{b}"'
        lines.append((f'{name}_bucket{{{lab}}}', compress(per_bucket[k])))
    return lines

def emit(lines, indent='      '):
    out = []
    for s, v in lines:
        out.append(f"{indent}- series: '{s}'")
        out.append(f"{indent}  values: '{v}'")
    return '\n'.join(out)
