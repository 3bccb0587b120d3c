/** The few parts of the `vcf` package the vCard benchmark uses (it ships no types). */
declare module 'vcf' {
  interface VcfProperty {
    valueOf(): unknown;
  }
  interface VcfCard {
    get(key: string): VcfProperty | undefined;
  }
  const vCard: {
    parse(text: string): VcfCard[];
  };
  export default vCard;
}
