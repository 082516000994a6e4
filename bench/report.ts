/** One benchmark figure beside the baseline measured in the same run. */
export interface BenchLine {
	bench: string;
	metric: string;
	value: number;
	unit: string;
	baseline: { metric: string; value: number } | null;
	ratio: number | null;
}

/** Prints one JSON line; `ratio` is value / baseline when there is a baseline. */
export function report(
	bench: string,
	metric: string,
	value: number,
	unit: string,
	baseline?: { metric: string; value: number }
): BenchLine {
	const line: BenchLine = {
		bench,
		metric,
		value: Number(value.toPrecision(6)),
		unit,
		baseline: baseline ? { metric: baseline.metric, value: Number(baseline.value.toPrecision(6)) } : null,
		ratio: baseline && baseline.value > 0 ? Number((value / baseline.value).toFixed(4)) : null
	};
	console.log(JSON.stringify(line));
	return line;
}
