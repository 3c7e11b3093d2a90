// Money as integer cents: the API's numbers have at most 2 decimals, so rounding x * 100 is exact.

export function toCents(amount) {
  return Math.round(Number(amount) * 100);
}

// 1180 -> "11.80"
export function formatCents(cents) {
  const sign = cents < 0 ? '-' : '';
  const whole = Math.abs(cents);
  return `${sign}${Math.floor(whole / 100)}.${String(whole % 100).padStart(2, '0')}`;
}

// The API's number (4.5) as text with two decimals ("4.50").
export function formatAmount(amount) {
  return formatCents(toCents(amount));
}

// What a price field holds, as the JSON number to send: "4.50" -> 4.5. Anything that is not a
// number is sent as it is (or null when empty), so the API says what is wrong with it.
export function amountField(value) {
  const text = String(value).trim();
  if (text === '') return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

// Whether a price field's text is exactly this amount ("4.5" and "4.50" are 4.50; "4.505" is not).
export function sameAmount(text, amount) {
  const value = String(text).trim();
  return /^\d+(\.\d{1,2})?$/.test(value) && toCents(value) === toCents(amount);
}
