// class-transformer 0.5 ships its metadata storage (what `@Type` records) without a typed entry
// point; class-validator-jsonschema reads nested types from it.
declare module 'class-transformer/cjs/storage' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
  export const defaultMetadataStorage: MetadataStorage;
}
