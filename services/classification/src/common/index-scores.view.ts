import { ApiProperty } from '@nestjs/swagger';

/** The three index values (means of their indicator scores) of one evaluation. */
export class IndexScoresView {
  @ApiProperty({ example: 3.6, description: 'Input index: mean of its indicator scores' })
  input!: number;

  @ApiProperty({ example: 4 })
  process!: number;

  @ApiProperty({ example: 2.5 })
  output!: number;
}
