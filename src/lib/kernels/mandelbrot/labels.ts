// What the requester sees each spec field called: the form's labels and the names in every
// validation message (relay and browser alike), so a message always points at a visible field.
export const FIELD_LABELS = {
	centerRe: 'Centre (real)',
	centerIm: 'Centre (imaginary)',
	zoom: 'Zoom',
	width: 'Width',
	height: 'Height',
	maxIter: 'Max iterations',
	tile: 'Tile size'
} as const;

export type MandelbrotField = keyof typeof FIELD_LABELS;
